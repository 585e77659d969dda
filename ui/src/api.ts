// The one door to the Rust side: unwraps the generated commands' `{status, data|error}`
// results into values or thrown `ApiError`s carrying the closed `ErrorCode`.
import type { CommandError, ErrorCode } from "./bindings";

export class ApiError extends Error {
  readonly code: ErrorCode;
  constructor(e: CommandError) {
    super(e.message);
    this.code = e.code;
  }
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
