/** Builds Bun.connect `tls` options from the plan's TLS settings. */
import type { TLSOptions } from "bun";
import type { HttpTlsOptions } from "./options.ts";

// OpenSSL/BoringSSL option bits. Bun has no minVersion/maxVersion for Bun.connect, but it passes
// `secureOptions` to SSL_CTX_set_options, and BoringSSL honours these bits (verified by the TLS
// tests: a 1.3-only client fails against a 1.2-only server, a max-1.2 client negotiates TLSv1.2).
const NO_TLSv1 = 0x04000000;
const NO_TLSv1_1 = 0x10000000;
const NO_TLSv1_2 = 0x08000000;
const NO_TLSv1_3 = 0x20000000;

export interface TlsSettings {
  /** options for Bun, without serverName (set per origin) */
  base: TLSOptions;
  /** verification is done by us in the `handshake` handler (see connection.ts) */
  verify: boolean;
}

/** Returns the settings or an error message for an unusable combination. */
export function buildTls(o: HttpTlsOptions): TlsSettings | string {
  if ((o.cert === undefined) !== (o.key === undefined)) return "invalid tls config: cert and key must both be set or both absent";
  if (o.minVersion === "1.3" && o.maxVersion === "1.2") return "invalid tls config: min_version 1.3 is above max_version 1.2";
  let secureOptions = NO_TLSv1 | NO_TLSv1_1;
  if (o.minVersion === "1.3") secureOptions |= NO_TLSv1_2;
  if (o.maxVersion === "1.2") secureOptions |= NO_TLSv1_3;
  const base: TLSOptions = {
    // Bun's own rejection closes the socket without telling why; we accept at the OpenSSL level and
    // reject in the handshake handler with the verification error's text instead. Nothing is written
    // before that check, so this is as strict as rejectUnauthorized: true.
    rejectUnauthorized: false,
    secureOptions,
  };
  if (o.ca !== undefined) base.ca = o.ca;
  if (o.cert !== undefined) base.cert = o.cert;
  if (o.key !== undefined) base.key = o.key;
  return { base, verify: o.insecureSkipVerify !== true };
}

/** Per-origin options: SNI and the name the certificate is checked against. */
export function tlsFor(s: TlsSettings, o: HttpTlsOptions, hostname: string): TLSOptions {
  return { ...s.base, serverName: o.serverName ?? hostname };
}
