/**
 * The encoding side: what a client sends most (status changes with an
 * MSNObject, switchboard messages with multi-byte text, challenge answers,
 * pings, calls), built with the codec's builders and `encodeCommand`,
 * against the least any encoder does: `TextEncoder.encode` of the finished
 * wire text of the same commands.
 *
 * @module
 */

import {
  cal,
  chg,
  type Command,
  encodeCommand,
  msg,
  png,
  qry,
  sbUsr,
  usrTwnInitial,
} from "../codec/mod.ts";
import { contactEmail, Rng } from "./fixtures.ts";

/** The two sides of the encoding measure over the same commands. */
export interface EncodeWork {
  /** Builds and encodes every command; returns the bytes produced. */
  build(): number;
  /** `TextEncoder.encode` of each command's finished wire text; returns the bytes produced. */
  baseline(): number;
  /** Bytes of all the commands. */
  bytes: number;
  /** Commands per pass. */
  commands: number;
}

const MSN_OBJECT = '<msnobj Creator="example@hotmail.com" Size="24539" Type="3" ' +
  'Location="TFR2C.tmp" Friendly="AAA=" SHA1D="trC8SlFx2sWQxZMIBAWSEnXc8oQ=" ' +
  'SHA1C="U7NaNsWwOSi6xZDPwljKNnV3Mow="/>';
const TEXTS = ["hey 👋 are you there?", "Grüße aus München!", "你好，今天怎么样？", "ok :)"];

/** `commands` client commands of the usual mix, from a fixed seed. */
export function encodeWork(commands: number): EncodeWork {
  const rng = new Rng(0x656e63); // "enc"
  const text = new TextEncoder();
  const payloads = TEXTS.map((t) =>
    text.encode(
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n" +
        `X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0\r\n\r\n${t.repeat(8)}`,
    )
  );
  const plans: (() => Command)[] = [];
  for (let i = 0; i < commands; i++) {
    const trid = i + 1;
    const kind = rng.int(10);
    const who = contactEmail(rng.int(1000));
    const payload = rng.pick(payloads);
    if (kind < 5) plans.push(() => msg(trid, "N", payload));
    else if (kind < 7) {
      plans.push(() => chg(trid, "NLN", { clientId: 268435492, msnObject: MSN_OBJECT }));
    } else if (kind < 8) {
      plans.push(() => qry(trid, "msmsgs@msnmsgr.com", "0123456789abcdef0123456789abcdef"));
    } else if (kind < 9) plans.push(() => cal(trid, who));
    else plans.push(rng.chance(0.5) ? () => png() : () => sbUsr(trid, who, "17262740.105082"));
  }
  plans.push(() => usrTwnInitial(1, "example@hotmail.com"));
  // The baseline's input: the exact text each command becomes on the wire.
  const wire = plans.map((p) => new TextDecoder().decode(encodeCommand(p())));
  const bytes = wire.reduce((n, w) => n + text.encode(w).length, 0);
  return {
    build() {
      let n = 0;
      for (const p of plans) n += encodeCommand(p()).length;
      return n;
    },
    baseline() {
      let n = 0;
      for (const w of wire) n += text.encode(w).length;
      return n;
    },
    bytes,
    commands: plans.length,
  };
}
