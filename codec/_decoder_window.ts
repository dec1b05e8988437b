/**
 * The window decoding of the `Decoder`: cutting the text of a window of
 * held lines, decoded with one TextDecoder call, back into those lines.
 *
 * @module
 */

const CR = 13;

// ignoreBOM: a BOM at the start of a line is bytes on the wire, not a marker to drop.
/** The decoder's non-throwing UTF-8 decoder. */
export const loose: TextDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * Takes one line: `text[start, end)`, at stream offset `offset`; `badEnd`
 * is -1, or where its bytes end in the buffer when it came out with U+FFFD.
 */
export type LineSink = (
  text: string,
  start: number,
  end: number,
  offset: number,
  badEnd: number,
) => void;

/**
 * Gives `line` each held line `first..last` of `text`, the decoded bytes of
 * `buf` from the first one's start to the last one's LF. `held` holds the
 * lines' stream offsets as pairs (start, LF); `buf[0]` is at offset `base`.
 */
export function decodeWindow(
  text: string,
  buf: Uint8Array,
  base: number,
  held: readonly number[],
  first: number,
  last: number,
  line: LineSink,
): void {
  const bytes = held[last + 1] - held[first] + 1;
  if (text.length === bytes || last === first) lines(text, buf, base, held, first, last, line);
  else mixed(text, buf, base, held, first, last, line);
}

/**
 * Pieces of the text match lines of the bytes one to one (a CR or LF byte
 * always decodes to itself); empty lines are pieces to step over.
 */
function lines(
  text: string,
  buf: Uint8Array,
  base: number,
  held: readonly number[],
  first: number,
  last: number,
  line: LineSink,
): void {
  // The next U+FFFD at or after `at`, or -1: found once, so a window costs
  // one scan however many lines it holds.
  let bad = text.indexOf("\uFFFD");
  let at = 0;
  for (let i = first; i <= last; i += 2) {
    let nl = text.indexOf("\n", at);
    let stop = nl > at && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    while (stop === at) {
      at = nl + 1;
      nl = text.indexOf("\n", at);
      stop = nl > at && text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
    }
    if (bad !== -1 && bad < at) bad = text.indexOf("\uFFFD", at);
    line(text, at, stop, held[i], bad !== -1 && bad < stop ? bytesEnd(buf, base, held, i) : -1);
    at = nl + 1;
  }
}

/**
 * A window that is not all ASCII. Such a text is a two-byte string, and so
 * is every piece cut from it (slower, twice the memory): only its non-ASCII
 * lines are taken from it; each run of ASCII lines between them is decoded
 * again, with one call.
 */
function mixed(
  text: string,
  buf: Uint8Array,
  base: number,
  held: readonly number[],
  first: number,
  last: number,
  line: LineSink,
): void {
  let bad = text.indexOf("\uFFFD");
  let at = 0;
  let run = -1; // first line of the ASCII run not decoded yet
  for (let i = first; i <= last; i += 2) {
    let nl = text.indexOf("\n", at);
    while (nl === at || (nl === at + 1 && text.charCodeAt(at) === CR)) {
      at = nl + 1;
      nl = text.indexOf("\n", at);
    }
    // As many characters as bytes: ASCII (or bytes that decode to U+FFFD
    // one for one, which the run's own decoding finds again).
    if (nl - at === held[i + 1] - held[i]) {
      if (run === -1) run = i;
    } else {
      if (run !== -1) runOf(buf, base, held, run, i - 2, line);
      run = -1;
      const stop = text.charCodeAt(nl - 1) === CR ? nl - 1 : nl;
      if (bad !== -1 && bad < at) bad = text.indexOf("\uFFFD", at);
      line(text, at, stop, held[i], bad !== -1 && bad < stop ? bytesEnd(buf, base, held, i) : -1);
    }
    at = nl + 1;
  }
  if (run !== -1) runOf(buf, base, held, run, last, line);
}

/** Decodes held lines `first..last` with one TextDecoder call of their own. */
function runOf(
  buf: Uint8Array,
  base: number,
  held: readonly number[],
  first: number,
  last: number,
  line: LineSink,
): void {
  const text = loose.decode(buf.subarray(held[first] - base, held[last + 1] - base + 1));
  lines(text, buf, base, held, first, last, line);
}

/** Where the bytes of held line `i` end in the buffer (before CR LF or LF). */
function bytesEnd(buf: Uint8Array, base: number, held: readonly number[], i: number): number {
  const lf = held[i + 1] - base;
  return lf > held[i] - base && buf[lf - 1] === CR ? lf - 1 : lf;
}
