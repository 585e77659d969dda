// The one door to the Rust side: unwraps the generated commands' `{status, data|error}`
// results into values or thrown `ApiError`s carrying the closed `ErrorCode`.
import type { CommandError, ErrorCode, ErrorDetail, MissingPrice } from "./bindings";

export class ApiError extends Error {
  readonly code: ErrorCode;
  /** What the UI can act on besides the code (the price a `no_price` error wants). */
  readonly detail: ErrorDetail;
  constructor(e: CommandError) {
    super(e.message);
    this.code = e.code;
    this.detail = e.detail ?? { kind: "none" };
  }
}

/** The price a failed call asked for, from the error's data (never its message). */
export function missingPrice(err: unknown): MissingPrice | null {
  return err instanceof ApiError && err.detail.kind === "missing_price" ? err.detail.price : null;
}

type Outcome<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

export async function call<T>(pending: Promise<Outcome<T>>): Promise<T> {
  const r = await pending;
  if (r.status === "error") throw new ApiError(r.error);
  return r.data;
}

/** A sentence for a person, whatever was thrown. */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
