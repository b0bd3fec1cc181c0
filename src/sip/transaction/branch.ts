import { randomBytes } from 'node:crypto';

/** RFC 3261 §8.1.1.7: every branch created by an RFC 3261 element starts with this cookie. */
export const MAGIC_COOKIE = 'z9hG4bK';

/**
 * A new branch parameter: the magic cookie followed by 144 random bits as 24 base64url characters
 * (RFC 3261 §8.1.1.7 only asks for uniqueness; ≥128 bits makes collisions and guessing negligible).
 */
export function createBranch(): string {
  return MAGIC_COOKIE + randomBytes(18).toString('base64url');
}

/** True if the branch was created by an RFC 3261 element (matching per §17.1.3 / §17.2.3). */
export function hasMagicCookie(branch: string | undefined): branch is string {
  return (
    branch !== undefined && branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length
  );
}
