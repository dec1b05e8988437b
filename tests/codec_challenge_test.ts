import { test } from "node:test";
import assert from "node:assert/strict";
import {
  challengeAnswer,
  KNOWN_PRODUCTS,
  MSMSGS_PRODUCT,
  PROD0038_PRODUCT,
  PROD0050_PRODUCT,
  PROD0058_PRODUCT,
  PROD0061_PRODUCT,
  PROD0076_PRODUCT,
} from "../codec/challenge.ts";
import { PayloadError } from "../codec/mime.ts";

// Expected digests below were computed with Node's crypto MD5, not with the
// library under test.

test("challengeAnswer matches the documented msmsgs vector", () => {
  assert.equal(
    challengeAnswer("15570131571988941333", MSMSGS_PRODUCT.key),
    "8f2f5a91b72102cd28355e9fc9000d6e",
  );
});

test("challengeAnswer matches independently computed MD5 vectors", () => {
  assert.equal(
    challengeAnswer("12345678901234567890", "Q1P7W2E4J9R8U3S5"),
    "8ba1bb9d6dbf624fee31a2053af5fdd0",
  );
  assert.equal(
    challengeAnswer("29409134351025259292", PROD0038_PRODUCT.key),
    "0a92b938ee214352d5e1f93b0acd1552",
  );
  assert.equal(
    challengeAnswer("22210219642164014968", PROD0076_PRODUCT.key),
    "230eef6c2565fa57b80fde61de68c054",
  );
});

test("challengeAnswer hashes the UTF-8 bytes of non-ASCII text", () => {
  assert.equal(challengeAnswer("chlé€", MSMSGS_PRODUCT.key), "bfe2f0847bfa8c7e7dbf8c415cc06b4b");
});

test("challengeAnswer always returns 32 lower-case hex digits", () => {
  for (const product of KNOWN_PRODUCTS) {
    assert.match(challengeAnswer("00000000000000000000", product.key), /^[0-9a-f]{32}$/);
  }
});

test("challengeAnswer refuses empty challenges and ones with space, CR, LF, NUL", () => {
  for (const bad of ["", "123 456", "123\r", "123\n", "12\0", "\t1"]) {
    assert.throws(
      () => challengeAnswer(bad, MSMSGS_PRODUCT.key),
      (e: unknown) => {
        assert.ok(e instanceof PayloadError);
        assert.equal(e.code, "INVALID_CHALLENGE");
        assert.equal(e.name, "PayloadError");
        assert.ok(e.message.startsWith("Cannot answer challenge "));
        assert.ok(!e.message.endsWith("."));
        return true;
      },
    );
  }
});

test("challengeAnswer refuses an empty product key without echoing it", () => {
  assert.throws(
    () => challengeAnswer("1", ""),
    (e: unknown) => e instanceof PayloadError && e.code === "INVALID_CHALLENGE",
  );
  assert.throws(
    () => challengeAnswer("1", "KEY WITH SPACE"),
    (e: unknown) => e instanceof PayloadError && !e.message.includes("KEY WITH SPACE"),
  );
});

test("product constants carry the documented id/key pairs", () => {
  assert.deepEqual(MSMSGS_PRODUCT, { id: "msmsgs@msnmsgr.com", key: "Q1P7W2E4J9R8U3S5" });
  assert.deepEqual(PROD0038_PRODUCT, { id: "PROD0038W!61ZTF9", key: "VT6PX?UQTM4WM%YR" });
  assert.deepEqual(PROD0058_PRODUCT, { id: "PROD0058#7IL2{QD", key: "QHDCY@7R1TB6W?5B" });
  assert.deepEqual(PROD0061_PRODUCT, { id: "PROD0061VRRZH@4F", key: "JXQ6J@TUOGYV@N0M" });
  assert.deepEqual(PROD0050_PRODUCT, { id: "PROD00504RLUG%WL", key: "I2EBK%PYNLZL5_J4" });
  assert.deepEqual(PROD0076_PRODUCT, { id: "PROD0076ENE8*@AW", key: "CEQJ8}OE0!WTSWII" });
  assert.equal(KNOWN_PRODUCTS.length, 6);
  assert.equal(KNOWN_PRODUCTS[0], MSMSGS_PRODUCT);
  assert.ok(Object.isFrozen(MSMSGS_PRODUCT));
});
