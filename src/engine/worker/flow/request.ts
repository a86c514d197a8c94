/**
 * The `request` step (reference §2.4): render, send, measure, extract, assert, check, then the
 * scenario's think time. Render failures and failed extractions/assertions add their extra
 * `http_req_failed` samples exactly as the reference counts them.
 */
import { UnresolvedError, compileJsonTemplate, compileTemplate, renderJsonTemplate, renderTemplate } from "../../../plan/template.ts";
import { ProtocolRouter } from "../../../protocols/router.ts";
import { emitFamilySamples } from "../../../protocols/family-metrics.ts";
import type { ConditionScope } from "../../../checks/specs.ts";
import type { ResponseView } from "../../../extract/response-view.ts";
import type { ProtocolResponse } from "../../../protocols/types.ts";
import { DataExhaustedError } from "../data/feed.ts";
import { compileJs } from "../js/scripts.ts";
import { recordJsException } from "../js/eval.ts";
import type { Throttle } from "./throttle.ts";
import { makeResponseView } from "../../../extract/response-view.ts";
import { Outcome, outcomeOf } from "../outcome.ts";
import { emitHttpSamples, httpFailed, RequestTagCache } from "../../../protocols/http/metrics.ts";
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import type { Vu } from "../vu.ts";
import { runWideAccessor } from "../name-resolution.ts";
import { buildRequest, type HttpDefaultsLike, type RequestSpecLike } from "./request-builder.ts";
import type { CompiledStep } from "./step.ts";

export interface RequestStepSpec extends RequestSpecLike {
  tags?: Record<string, string>;
  extract?: any[];
  assert?: any[];
  checks?: any[];
  protocol?: string;
  /** options for a plugin protocol (rendered per request) */
  plugin?: unknown;
}

const HTTP_ONLY = new ProtocolRouter();

/**
 * The URL as far as run-wide values render it (env, vars, secrets, services), for routing by
 * scheme: `url: ${services.redis.url}` routes to the redis plugin. A URL that needs VU state
 * routes on its raw text.
 */
function runWideUrl(url: string, rt: ScenarioRuntime): string {
  if (!url.includes("${")) return url;
  const run = rt.run;
  try {
    return renderTemplate(compileTemplate(url), (expr) => runWideAccessor(expr)?.(run));
  } catch {
    return url;
  }
}

export interface RequestCompileContext {
  rt: ScenarioRuntime;
  defaults: HttpDefaultsLike & { discard_response_bodies?: boolean };
  baseDir: string;
  /** scenario/default think time, slept after the request unless it aborted (§1.6) */
  thinkAfter?: (random: () => number) => number;
  /** the scenario's `throttle`, one limiter shared by all its requests */
  throttle?: Throttle;
}

export function compileRequest(spec: RequestStepSpec, ctx: RequestCompileContext): CompiledStep {
  const { rt } = ctx;
  const sink = rt.run.sink;
  const req = buildRequest(spec, ctx.defaults, ctx.baseDir);
  // Request-level `tags:` apply to this request's samples (the reference ignores them: docs/compat.md).
  const baseTags = spec.tags ? { ...rt.baseTags, ...spec.tags } : rt.baseTags;
  // Routed once, here (reference §5.2): a plugin protocol gets the rendered request + `plugin:` block.
  const route = (rt.run.protocols ?? HTTP_ONLY).route(spec.protocol, runWideUrl(spec.url, rt));
  const plugin = route.kind === "plugin" ? route.handler : undefined;
  const pluginOptions = plugin && spec.plugin !== undefined ? compileJsonTemplate(spec.plugin) : undefined;
  const tags = new RequestTagCache(sink, baseTags, req.method, plugin ? plugin.name : "http");
  const extractors = (spec.extract ?? []).map((e) => rt.run.extractors.compile(e));
  const asserts = (spec.assert ?? []).map((c) => rt.run.conditions.compile(c));
  const checks = (spec.checks ?? []).map((c) => rt.run.conditions.compile(c));
  const needsView = extractors.length + asserts.length + checks.length > 0;
  const usesJs = asserts.some((a) => a.usesJs) || checks.some((c) => c.usesJs);
  const throttle = ctx.throttle;
  // the checks tag set of chains, remembered for the last group and request name (they rarely change)
  let lastCheckGroup: string | undefined;
  let lastCheckRequest: string | undefined;
  const checkTagSets = new Map<string, ReturnType<typeof tags.check>>();
  const chainCheckTags = (group: string, request: string, name: string) => {
    if (group !== lastCheckGroup || request !== lastCheckRequest) {
      checkTagSets.clear();
      lastCheckGroup = group;
      lastCheckRequest = request;
    }
    let ts = checkTagSets.get(name);
    if (ts === undefined) checkTagSets.set(name, (ts = tags.check(group, request, name)));
    return ts;
  };
  const discardBodies = ctx.defaults.discard_response_bodies === true;
  const think = ctx.thinkAfter;

  const pause = async (vu: Vu): Promise<Outcome> => {
    await vu.sleep(think!(vu.random));
    return vu.cancelled ? Outcome.Cancelled : Outcome.Continue;
  };
  // synchronous unless there is a think time to sleep: no extra promise per request otherwise
  const after = (vu: Vu, o: Outcome): Outcome | Promise<Outcome> => (o === Outcome.Continue && think ? pause(vu) : o);

  return {
    async run(vu: Vu): Promise<Outcome> {
      // the slot is taken even if the request then fails to render (reference §2.4)
      if (throttle !== undefined) {
        await throttle.wait(vu);
        if (rt.cancelled) return Outcome.Cancelled;
      }
      let name = "";
      let httpReq;
      let options: unknown;
      try {
        name = req.name(vu);
        httpReq = req.build(vu);
        if (pluginOptions) options = renderJsonTemplate(pluginOptions, vu.resolve);
      } catch (e) {
        if (e instanceof DataExhaustedError) {
          rt.run.log.info(`VU ${vu.id}: ${e.message}; the VU retires`);
          return Outcome.StopVu;
        }
        // Not sent: one http_req_failed sample tagged error=prepare, and the flow goes on (§1.11).
        const why = e instanceof UnresolvedError ? `unresolved \`\${${e.expr}}\`` : (e as Error).message;
        rt.run.log.warn(`request \`${name || spec.url}\` not sent: ${why}`);
        sink.noteError("not_sent", `request \`${name || spec.url}\`: ${why}`);
        sink.rate("http_req_failed", tags.extra(vu.group, name || spec.url, "prepare"), true);
        vu.lastFailed = true;
        return after(vu, Outcome.Continue);
      }

      const res = plugin
        ? await plugin.call({ name, method: httpReq.method, url: httpReq.url, headers: httpReq.headers, body: httpReq.body, timeoutMs: httpReq.timeoutMs, options })
        : await vu.http.request(httpReq);
      if (vu.cancelled) return Outcome.Cancelled;
      const group = vu.group;
      if (plugin) emitFamilySamples(sink, tags.get(group, name, res.status, res.errorKind), plugin.family, res);
      else emitHttpSamples(sink, tags.get(group, name, res.status, res.errorKind), res);
      // a plugin response fails only through its `error` (reference §2.5)
      let failed = plugin ? res.error !== undefined : httpFailed(res);
      if (res.error !== undefined) rt.run.log.debug(`request \`${name}\` failed: ${res.error}`);
      if (res.error !== undefined) sink.noteError(res.errorKind ?? "error", res.error);
      if (!needsView) {
        vu.lastFailed = failed;
        return after(vu, Outcome.Continue);
      }

      const view = makeResponseView(res, discardBodies);
      let extractFailed = false;
      let outcome = Outcome.Continue;
      let abortReason = "";
      for (const ex of extractors) {
        const r = ex.run(view, vu.random);
        if (r.ok) {
          if (r.check === undefined) vu.vars.set(ex.name, r.value);
          else {
            // a chain with `check:` records a checks sample; a failed check keeps the old value
            sink.rate("checks", chainCheckTags(group, name, ex.name), r.check);
            if (r.check) vu.vars.set(ex.name, r.value);
            else if (ex.onFailure !== undefined && ex.onFailure !== "continue") {
              outcome = outcomeOf(ex.onFailure);
              abortReason = `chain \`${ex.name}\` check failed on \`${name}\``;
            }
          }
        } else {
          extractFailed = true;
          rt.run.log.warn(`request \`${name}\`: extraction \`${ex.name}\` failed: ${r.error}`);
        }
      }
      if (extractFailed) sink.rate("http_req_failed", tags.extra(group, name), true);

      const scope = usesJs ? jsScope(vu, res, httpReq) : undefined;
      let assertFailed = false;
      for (const a of asserts) {
        if (a.check(view, scope)) continue;
        assertFailed = true;
        if (a.onFailure !== "continue") {
          outcome = outcomeOf(a.onFailure);
          abortReason = `assertion \`${a.name}\` failed on \`${name}\``;
        }
      }
      if (assertFailed) sink.rate("http_req_failed", tags.extra(group, name), true);
      for (const c of checks) sink.rate("checks", tags.check(group, name, c.name), c.check(view, scope));

      failed = failed || assertFailed || extractFailed;
      vu.lastFailed = failed;
      if (outcome === Outcome.AbortTest) rt.run.abortTest(abortReason);
      return after(vu, outcome);
    },
  };
}

/**
 * The scope `type: js` conditions run in: the VU's JS context with `response` as the reference
 * shapes it (§2.9), built once per request and only for requests that have JS conditions.
 */
function jsScope(vu: Vu, res: ProtocolResponse, req: { url: string }): ConditionScope {
  let response: Record<string, unknown> | undefined;
  const make = (r: ResponseView) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of r.headers) headers[k.toLowerCase()] ??= v;
    return {
      status: r.status,
      status_text: res.statusText ?? "",
      body: r.text(),
      headers,
      duration_ms: r.durationMs,
      error: res.error ?? null,
      url: req.url,
      protocol: "http",
    };
  };
  return {
    evalJs(code, r) {
      try {
        return vu.js().run(compileJs(code, "js condition"), (response ??= make(r)));
      } catch (e) {
        if (e instanceof DataExhaustedError) return undefined;
        recordJsException(vu, "check", e);
        return undefined;
      }
    },
  };
}
