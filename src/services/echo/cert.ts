/**
 * TEST CERTIFICATE for the built-in echo target's `tls: true` mode — not a secret and not for
 * production. Generated once with openssl (EC P-256, self-signed, valid 100 years) so tests and
 * benches need no openssl at run time:
 *
 *   openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500 \
 *     -subj "/CN=localhost/O=loadr test echo target" \
 *     -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
 *     -addext "basicConstraints=critical,CA:TRUE" \
 *     -addext "keyUsage=critical,digitalSignature,keyCertSign" -addext "extendedKeyUsage=serverAuth"
 *
 * The certificate is its own CA, so a client trusts the echo target by passing ECHO_CA_PEM as `ca`
 * (HttpClientOptions.tls.ca, fetch's `tls.ca`, a plan's `tls.ca_file`).
 */

export const ECHO_KEY_PEM = `
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg3MmKz0AVBR0wPV8t
TFLZUPAqp1yENLSWlbQPHNH8bEihRANCAASXnUrFL+mixAMbsR0TF4voG177lmh+
ijm9LegO/BhDofbJucwuvNjKc/T+UQLZLLNHFtrK0etukWpc7okylGbn
-----END PRIVATE KEY-----
`.trimStart();

/** The leaf certificate (SAN: localhost, 127.0.0.1, ::1). */
export const ECHO_CERT_PEM = `
-----BEGIN CERTIFICATE-----
MIICFjCCAbygAwIBAgIUZj2cKsrCEI9GDQsv+bZWSoFApYQwCgYIKoZIzj0EAwIw
NTESMBAGA1UEAwwJbG9jYWxob3N0MR8wHQYDVQQKDBZsb2FkciB0ZXN0IGVjaG8g
dGFyZ2V0MCAXDTI2MTEyMjAyMzczNloYDzIxMjYxMDI5MDIzNzM2WjA1MRIwEAYD
VQQDDAlsb2NhbGhvc3QxHzAdBgNVBAoMFmxvYWRyIHRlc3QgZWNobyB0YXJnZXQw
WTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASXnUrFL+mixAMbsR0TF4voG177lmh+
ijm9LegO/BhDofbJucwuvNjKc/T+UQLZLLNHFtrK0etukWpc7okylGbno4GnMIGk
MB0GA1UdDgQWBBRC6358qs4oa0Eru1fNudk+++xYZjAfBgNVHSMEGDAWgBRC6358
qs4oa0Eru1fNudk+++xYZjAsBgNVHREEJTAjgglsb2NhbGhvc3SHBH8AAAGHEAAA
AAAAAAAAAAAAAAAAAAEwDwYDVR0TAQH/BAUwAwEB/zAOBgNVHQ8BAf8EBAMCAoQw
EwYDVR0lBAwwCgYIKwYBBQUHAwEwCgYIKoZIzj0EAwIDSAAwRQIhAOybjrKy5fla
u2YZB4GYeRzkYR/qNsNY0OY+7llEWJTQAiB9khXB1haIl8ccvNn43vgv/bIX5xAO
mBHdb4usxcUfvQ==
-----END CERTIFICATE-----
`.trimStart();

/** Self-signed: the certificate is also the CA a client must trust. */
export const ECHO_CA_PEM = ECHO_CERT_PEM;
