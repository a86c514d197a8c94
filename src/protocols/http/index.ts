export { HttpClient } from "./client.ts";
export type { HttpClientOptions, HttpRequest, HttpTlsOptions } from "./options.ts";
export { CookieJar } from "./cookies.ts";
