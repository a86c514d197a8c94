/** gRPC status codes (grpc/doc/statuscodes.md), their names as status_text spells them, and HTTP's mapping to them. */

/** index = code; the names of the reference's status_text (`"<Code>: <message>"`) */
export const CODE_NAMES = [
  "Ok", "Cancelled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound", "AlreadyExists",
  "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
  "Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated",
] as const;

export const Code = {
  Ok: 0,
  Cancelled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  DeadlineExceeded: 4,
  NotFound: 5,
  ResourceExhausted: 8,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
} as const;

export function codeName(code: number): string {
  return CODE_NAMES[code] ?? `Code(${code})`;
}

/** The status of a response that is not gRPC (no grpc-status): HTTP's status mapped as gRPC clients map it. */
export function codeForHttpStatus(status: number): number {
  switch (status) {
    case 400:
      return Code.Internal;
    case 401:
      return 16;
    case 403:
      return 7;
    case 404:
      return Code.Unimplemented;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.Unavailable;
    default:
      return Code.Unknown;
  }
}
