import { Type } from '@sinclair/typebox';

/** The answer of an integrity check (a recording's hashes, a receipt's signature). */
export const VerificationSchema = Type.Object({
  id: Type.String(),
  ok: Type.Boolean(),
  reason: Type.Optional(Type.String()),
});
