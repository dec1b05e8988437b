// Read-only message fields whose values stay out of printing (a profile's fields hold MSPAuth).
import { findField, type MimeHeader } from "./mime.ts";

/**
 * Read-only `name -> value` fields with case-insensitive lookup, in wire
 * order. Values live in a private field, so printing the object (for example
 * with `console.log`) does not show them: a profile's fields hold `MSPAuth`.
 */
export class FieldMap {
  #entries: readonly MimeHeader[];

  /**
   * Wraps ordered pairs; the array is copied.
   *
   * @param entries `[name, value]` pairs in wire order.
   */
  constructor(entries: readonly MimeHeader[]) {
    this.#entries = entries.map(([n, v]): MimeHeader => [n, v]);
  }

  /**
   * Value of the first field called `name` (any case), or `undefined`.
   *
   * @param name Field name in any case.
   * @returns The value, or `undefined`.
   */
  get(name: string): string | undefined {
    return findField(this.#entries, name);
  }

  /**
   * Whether a field called `name` (any case) is present.
   *
   * @param name Field name in any case.
   * @returns `true` when present, even with an empty value.
   */
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  /**
   * The fields as `[name, value]` pairs in wire order (a copy).
   *
   * @returns The pairs.
   */
  entries(): MimeHeader[] {
    return this.#entries.map(([n, v]): MimeHeader => [n, v]);
  }

  /** Number of fields, duplicates included. */
  get size(): number {
    return this.#entries.length;
  }
}
