/**
 * vitest setup: property tests (fast-check) explore new random cases on every developer run; in CI (`CI=true`)
 * they replay one fixed seed, so a submission's verdict does not depend on the draw. Override with
 * `FC_SEED=<n>` to replay a failure reported by fast-check.
 */
import fc from "fast-check";

const seed = process.env.FC_SEED ?? (process.env.CI ? "20261130" : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
