import { createHash } from "node:crypto";
import type { Limit } from "./counter-store";

/**
 * The limits on requests that test a password or reveal whether an e-mail has an account, and the
 * keys they count by. Numbers and reasons: docs/decisions/018-sign-in-and-sign-up-limits.md.
 */

const FIFTEEN_MINUTES = 15 * 60;

export const CREDENTIAL_LIMITS = {
  /** Failed sign-ins at one account from one address: the guesses of one attacker. */
  signInAccountAtAddress: { max: 5, windowSeconds: FIFTEEN_MINUTES },
  /** Failed sign-ins at one account from anywhere: an attacker with many addresses. */
  signInAccount: { max: 10, windowSeconds: FIFTEEN_MINUTES },
  /** Failed sign-ins from one address at any account: loose, an office or campus shares it. */
  signInAddress: { max: 100, windowSeconds: FIFTEEN_MINUTES },
  /** Sign-up attempts for one e-mail (each answer says whether it has an account). */
  signUpEmail: { max: 5, windowSeconds: FIFTEEN_MINUTES },
  /** Sign-up attempts from one address: what makes probing many e-mails expensive. */
  signUpAddress: { max: 20, windowSeconds: FIFTEEN_MINUTES },
  /** Failed current-password checks (change-password, verify-password) for one signed-in user. */
  passwordCheckUser: { max: 5, windowSeconds: FIFTEEN_MINUTES },
} as const;

/** Better Auth's paths (below /api/auth) that our limits govern. */
export const CREDENTIAL_PATHS = {
  signIn: "/sign-in/email",
  signUp: "/sign-up/email",
  changePassword: "/change-password",
  verifyPassword: "/verify-password",
} as const;

/**
 * E-mail addresses enter the counter table only as a digest: the table holds no personal data
 * beyond client addresses, and a key stays short whatever the body held.
 */
function digest(email: string): string {
  return createHash("sha256").update(email).digest("hex").slice(0, 32);
}

/** Lower-cased and trimmed, as people type it; Better Auth stores e-mails lower-cased too. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

const limit = (key: string, rule: { max: number; windowSeconds: number }): Limit => ({
  key,
  ...rule,
});

/** Counted before the check; a sign-in that succeeds gives its count back (failures only). */
export function signInLimits(addressKey: string, email: string | undefined): Limit[] {
  const address = limit(`sign-in:address:${addressKey}`, CREDENTIAL_LIMITS.signInAddress);
  if (email === undefined) return [address];
  const account = digest(normaliseEmail(email));
  return [
    limit(`sign-in:account:${account}@${addressKey}`, CREDENTIAL_LIMITS.signInAccountAtAddress),
    limit(`sign-in:account:${account}`, CREDENTIAL_LIMITS.signInAccount),
    address,
  ];
}

/** Every attempt counts: a successful sign-up answers the question as well as a refused one. */
export function signUpLimits(addressKey: string, email: string | undefined): Limit[] {
  const address = limit(`sign-up:address:${addressKey}`, CREDENTIAL_LIMITS.signUpAddress);
  if (email === undefined) return [address];
  return [
    limit(`sign-up:email:${digest(normaliseEmail(email))}`, CREDENTIAL_LIMITS.signUpEmail),
    address,
  ];
}

/** Guesses at the current password need a session, so they count per user, wherever they come from. */
export function passwordCheckLimits(userId: string): Limit[] {
  return [limit(`password-check:user:${userId}`, CREDENTIAL_LIMITS.passwordCheckUser)];
}
