// setDraftPhone builds a draft contact's phone record at its final size (a
// one-property literal, then `{}`) instead of storing into `{}`. Whatever the
// order of BPRs, the record must hold what plain stores and deletes give, in
// the same key order (JSON and Object.keys show it), and the shared empty
// record must never change.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type DraftContact, NO_GROUPS, NO_PHONES, sharedLists } from "../machine/contact_list.ts";
import { setDraftPhone } from "../machine/_fast_parse.ts";

test("setDraftPhone gives what plain stores and deletes give, in key order", () => {
  let multi = 0;
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.constantFrom(
            "PHH",
            "PHW",
            "PHM",
            "MOB",
            "MBE",
            "WWE",
            "XYZ",
            "__proto__",
            "constructor",
          ),
          fc.constantFrom("", "Y", "N", "1 (555) 123", "é"),
        ),
        { maxLength: 8 },
      ),
      (ops) => {
        const draft: DraftContact = {
          passport: "bob@example.com",
          friendlyName: "Bob",
          lists: sharedLists(11),
          groupIds: NO_GROUPS,
          phones: NO_PHONES as Record<string, string>,
        };
        const want: Record<string, string> = {};
        for (const [property, value] of ops) {
          setDraftPhone(draft, property, value);
          if (value === "") delete want[property];
          else want[property] = value;
        }
        assert.deepStrictEqual(Object.entries(draft.phones), Object.entries(want));
        assert.equal(JSON.stringify(draft.phones), JSON.stringify(want));
        assert.equal(Object.keys(NO_PHONES).length, 0);
        if (Object.keys(want).length > 1) multi++;
      },
    ),
    { numRuns: 5000, seed: 20261202 },
  );
  assert.ok(multi > 1000, `records with several phones: ${multi}`);
});
