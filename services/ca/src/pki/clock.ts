/** The time source of every decision; injected so decisions are pure and tests pin the time. */
export interface Clock {
  now(): Date;
}

export const SECOND_MS = 1_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

/** Certificates carry whole seconds (UTCTime/GeneralizedTime); computing with more only misleads. */
export function truncateToSecond(date: Date): Date {
  return new Date(Math.floor(date.getTime() / SECOND_MS) * SECOND_MS);
}
