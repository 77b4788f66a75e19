/**
 * Stable machine-readable codes carried by every {@link DreamFactoryError}.
 *
 * Branch on these, never on message text. The list only grows; a code is never renamed.
 */
export type DreamFactoryErrorCode =
  | "credential_missing"
  | "credential_invalid"
  | "credential_expired"
  | "credential_not_yet_valid"
  | "credential_raw_string"
  | "identity_mismatch"
  | "refresh_failed"
  | "token_blacklisted"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "bad_request"
  | "batch_error"
  | "rate_limited"
  | "server_error"
  | "network_error"
  | "timeout"
  | "aborted"
  | "scope_denied"
  | "invalid_input"
  | "write_outcome_unknown"
  | "approval_rejected";
