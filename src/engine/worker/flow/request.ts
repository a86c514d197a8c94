/**
 * The `request` step: one request through the pipeline's phases (docs/dev/architecture.md
 * "Request pipeline"): prepare (render) → before-send hooks → send (the protocol handler the
 * router picked when the step compiled) → after-response hooks → extract/checks → record (the
 * handler's own metric emission and failure rule) → after-record hooks; then the scenario's think
 * time. Render failures and failed extractions/assertions add their extra `http_req_failed`
 * samples exactly as the reference counts them (§2.4).
 *
 * Whether a step runs hooks is decided here, once: with none registered, the step compiles to the
 * plain path, which has no hook loop and no promise but the send's.
 */
import { UnresolvedError, compileTemplate, renderTemplate } from "../../../plan/template.ts";
import type { HttpDefaults, RequestStep } from "../../../plan/schema.ts";
import { PROTOCOL_BLOCKS } from "../../../plan/protocol-check.ts";
import type { ConditionScope } from "../../../checks/specs.ts";
import type { ResponseView } from "../../../extract/response-view.ts";
import type { TagSet } from "../../../metrics/sink.ts";
import type { ProtocolHandler } from "../../../protocols/handler.ts";
import { ProtocolRouterError, urlScheme, type Routed } from "../../../protocols/router.ts";
import { errorResponse, withError, type ProtocolRequest, type ProtocolResponse } from "../../../protocols/types.ts";
import type { PhaseHooks } from "../../../pipeline/hooks.ts";
import { requestChanged, runAfter, runBeforeSend, SYNTHETIC_TAG, syntheticResponse } from "../../../pipeline/phases.ts";
import { RequestTagCache } from "../../../pipeline/request-tags.ts";
import { DataExhaustedError } from "../data/feed.ts";
import { compileJs } from "../js/scripts.ts";
import { recordJsException } from "../js/eval.ts";
import type { Throttle } from "./throttle.ts";
import { makeResponseView } from "../../../extract/response-view.ts";
import { Outcome, outcomeOf } from "../outcome.ts";
import type { ScenarioRuntime } from "../scenario-runtime.ts";
import type { Vu } from "../vu.ts";
import { runWideAccessor } from "../name-resolution.ts";
import { buildRequest } from "./request-builder.ts";
import type { CompiledStep } from "./step.ts";

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

/**
 * The step's handler (reference §5.2), by `protocol:` or by the URL's scheme — a URL without one
 * is joined to `defaults.http.base_url` first — or a one-line refusal naming the step and the
 * handlers that exist (the main thread refused what it could see before; this catches schemes
 * that come from a template).
 */
function routeStep(spec: RequestStep, defaults: HttpDefaults, rt: ScenarioRuntime, at: string): Routed {
  let url = runWideUrl(spec.url, rt);
  if (urlScheme(url) === undefined && !url.startsWith("${") && defaults.base_url !== undefined) url = runWideUrl(defaults.base_url, rt);
  try {
    const routed = rt.run.protocols.route(spec.protocol, url);
    // the option blocks of a URL whose scheme only rendering revealed (the main thread took the
    // blocks' handler on trust): the handler it routed to must read them
    const templated = spec.protocol === undefined && urlScheme(spec.url) === undefined && spec.url.includes("${");
    const foreign = templated ? PROTOCOL_BLOCKS.find((b) => spec[b] !== undefined && !routed.handler.optionBlocks.includes(b)) : undefined;
    if (foreign !== undefined)
      throw new ProtocolRouterError(`\`${foreign}:\` options: the \`${routed.handler.name}\` handler this request goes to does not read them (${rt.run.protocols.available()})`);
    return routed;
  } catch (e) {
    if (e instanceof ProtocolRouterError) throw new ProtocolRouterError(`${at}.request: ${e.message}`);
    throw e;
  }
}

export interface RequestCompileContext {
  rt: ScenarioRuntime;
  defaults: HttpDefaults;
  baseDir: string;
  /** scenario/default think time, slept after the request unless it aborted (§1.6) */
  thinkAfter?: (random: () => number) => number;
  /** the scenario's `throttle`, one limiter shared by all its requests */
  throttle?: Throttle;
  /** the scenario's `plugins:`: the scoped hooks its requests run (absent: all); a request's `hooks:` replaces it */
  hookNames?: readonly string[];
}

/** `at`: the step's plan path (`scenarios.s.flow[0]`), for errors. */
export function compileRequest(spec: RequestStep, ctx: RequestCompileContext, at: string): CompiledStep {
  const { rt } = ctx;
  const sink = rt.run.sink;
  const routed = routeStep(spec, ctx.defaults, rt, at);
  const handler = routed.handler;
  const stateful = handler.perVu !== undefined;
  const req = buildRequest(spec, ctx.defaults, ctx.baseDir);
  // Request-level `tags:` apply to this request's samples (the reference ignores them: docs/compat.md).
  const baseTags = spec.tags ? { ...rt.baseTags, ...spec.tags } : rt.baseTags;
  const tags = new RequestTagCache(sink, baseTags, req.method, handler.name);
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

  /** Prepare (req.build) threw: the step's outcome. */
  const notPrepared = (vu: Vu, e: unknown): Outcome | Promise<Outcome> => {
    if (e instanceof DataExhaustedError) {
      rt.run.log.info(`VU ${vu.id}: ${e.message}; the VU retires`);
      return Outcome.StopVu;
    }
    let name = spec.url;
    try {
      name = req.name(vu);
    } catch {
      // the name does not render either: the raw URL names it
    }
    // Not sent: one http_req_failed sample tagged error=prepare, and the flow goes on (§1.11).
    const why = e instanceof UnresolvedError ? `unresolved \`\${${e.expr}}\`` : (e as Error).message;
    rt.run.log.warn(`request \`${name}\` not sent: ${why}`);
    sink.noteError("not_sent", `request \`${name}\`: ${why}`);
    sink.rate("http_req_failed", tags.extra(vu.group, name, "prepare"), true);
    vu.lastFailed = true;
    return after(vu, Outcome.Continue);
  };

  /** A handler that throws refused the request as invalid: an error response with zero timings (reference §5.1). */
  const refused = (r: ProtocolRequest, h: ProtocolHandler, e: unknown): ProtocolResponse => {
    const why = `invalid request: ${e instanceof Error ? e.message : String(e)}`;
    rt.run.log.warn(`request \`${r.name}\` not sent: ${why}`);
    return errorResponse(r, h.name, why, "invalid_request");
  };

  /** Extract/checks, then record; sets the VU's "last request failed"; the step's outcome before think time. */
  const conclude = (vu: Vu, name: string, url: string, res: ProtocolResponse, h: ProtocolHandler, ts: TagSet): Outcome => {
    const group = vu.group;
    let extraFailed = false;
    let outcome = Outcome.Continue;
    let abortReason = "";
    if (needsView) {
      const view = makeResponseView(res, discardBodies);
      let extractFailed = false;
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

      const scope = usesJs ? jsScope(vu, res, url, h.name) : undefined;
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
      extraFailed = extractFailed || assertFailed;
    }
    h.emit(sink, ts, res);
    if (res.error !== undefined) {
      rt.run.log.debug(`request \`${name}\` failed: ${res.error}`);
      sink.noteError(res.errorKind ?? "error", res.error);
    }
    vu.lastFailed = h.failed(res) || extraFailed;
    if (outcome === Outcome.AbortTest) rt.run.abortTest(abortReason);
    return outcome;
  };

  const hooks = rt.run.hooks?.forStep(spec.hooks ?? ctx.hookNames);
  if (hooks !== undefined) return { run: hooked(hooks) };

  return {
    async run(vu: Vu): Promise<Outcome> {
      // the slot is taken even if the request then fails to render (reference §2.4)
      if (throttle !== undefined) {
        await throttle.wait(vu);
        if (rt.cancelled) return Outcome.Cancelled;
      }
      let r: ProtocolRequest;
      try {
        r = req.build(vu);
      } catch (e) {
        return notPrepared(vu, e);
      }
      let res: ProtocolResponse;
      try {
        res = await handler.call(r, stateful ? vu.state(routed) : undefined);
      } catch (e) {
        res = refused(r, handler, e);
      }
      if (vu.cancelled) return Outcome.Cancelled;
      return after(vu, conclude(vu, r.name, r.url, res, handler, tags.get(vu.group, r.name, res.status, res.errorKind)));
    },
  };

  /** The step with hooks: every phase, each hook awaited in turn. */
  function hooked(hooks: PhaseHooks<Vu>): (vu: Vu) => Promise<Outcome> {
    // a hook may change the method or re-route the request: their tag sets, made on first use
    const tagsBy = new Map<string, RequestTagCache>([[`${routed.slot}\0${req.method}`, tags]]);
    const tagsFor = (to: Routed, method: string) => {
      if (to === routed && method === req.method) return tags; // the common case: no string key built
      const key = `${to.slot}\0${method}`;
      let t = tagsBy.get(key);
      if (t === undefined) tagsBy.set(key, (t = new RequestTagCache(sink, baseTags, method, to.handler.name)));
      return t;
    };
    // the logger prints a message repeated on every request only its first few times
    const hookFailed = (name: string, message: string) => rt.run.log.warn(`request \`${name}\`: ${message}`);

    return async (vu: Vu): Promise<Outcome> => {
      if (throttle !== undefined) {
        await throttle.wait(vu);
        if (rt.cancelled) return Outcome.Cancelled;
      }
      let prepared: ProtocolRequest;
      try {
        prepared = req.build(vu);
      } catch (e) {
        return notPrepared(vu, e);
      }
      const name = prepared.name;
      // before-send: hooks change a copy, never the (possibly cached) prepared request
      const request = { method: prepared.method, url: prepared.url, headers: prepared.headers.slice(), body: prepared.body };
      let to = routed;
      let res: ProtocolResponse | undefined;
      let synthetic = false;
      let sent: ProtocolRequest = prepared;
      // synchronous hooks (the WASM ones) answer without a promise: await only one that is given
      let pre = hooks.beforeSend.length === 0 ? undefined : runBeforeSend(hooks.beforeSend, { vu, name, protocol: handler.name, request });
      if (pre instanceof Promise) pre = await pre;
      if (pre !== undefined && "failure" in pre) {
        hookFailed(name, pre.failure);
        res = errorResponse(prepared, handler.name, pre.failure, "hook");
      } else if (pre !== undefined) {
        res = syntheticResponse(request, pre.answer, handler.name);
        synthetic = true;
      } else {
        if (requestChanged(prepared, request)) {
          sent = { ...prepared, method: request.method.toUpperCase(), url: request.url, headers: request.headers, body: request.body };
          // a changed URL is routed again by the same rule (an explicit `protocol:` keeps the handler)
          if (sent.url !== prepared.url && spec.protocol === undefined) {
            try {
              to = rt.run.protocols.route(undefined, sent.url);
            } catch (e) {
              const why = `a before-send hook changed the URL to \`${sent.url}\`: ${(e as Error).message}`;
              hookFailed(name, why);
              res = errorResponse(sent, handler.name, why, "hook");
            }
          }
        }
        if (res === undefined) {
          const h = to.handler;
          try {
            res = await h.call(sent, h.perVu !== undefined ? vu.state(to) : undefined);
          } catch (e) {
            res = refused(sent, h, e);
          }
        }
      }
      if (vu.cancelled) return Outcome.Cancelled;
      const seen = { method: sent.method, url: sent.url, headers: sent.headers, body: sent.body };
      const protocol = to.handler.name;
      // a phase without hooks costs nothing (no promise)
      let failedAfter = hooks.afterResponse.length === 0 ? undefined : runAfter(hooks.afterResponse, { vu, name, protocol, request: seen, response: res, synthetic });
      if (failedAfter instanceof Promise) failedAfter = await failedAfter;
      if (failedAfter !== undefined) {
        hookFailed(name, failedAfter);
        res = withError(res, failedAfter, "hook");
      }
      // the request as planned keeps the step's own tag cache (no key built, no Map lookup)
      let ts = (sent === prepared && to === routed ? tags : tagsFor(to, sent.method)).get(vu.group, name, res.status, res.errorKind);
      if (synthetic) ts = sink.withTag(ts, SYNTHETIC_TAG, "true");
      const outcome = conclude(vu, name, sent.url, res, to.handler, ts);
      let failedRecord =
        hooks.afterRecord.length === 0 ? undefined : runAfter(hooks.afterRecord, { vu, name, protocol, request: seen, response: res, synthetic, failed: vu.lastFailed });
      if (failedRecord instanceof Promise) failedRecord = await failedRecord;
      if (failedRecord !== undefined) {
        // the request's samples are recorded already: one extra failure, as for a failed extraction
        hookFailed(name, failedRecord);
        sink.noteError("hook", failedRecord);
        sink.rate("http_req_failed", tags.extra(vu.group, name, "hook"), true);
        vu.lastFailed = true;
      }
      return after(vu, outcome);
    };
  }
}

/**
 * The scope `type: js` conditions run in: the VU's JS context with `response` as the reference
 * shapes it (§2.9), built once per request and only for requests that have JS conditions.
 */
function jsScope(vu: Vu, res: ProtocolResponse, url: string, protocol: string): ConditionScope {
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
      url,
      protocol,
      // "HTTP/1.1", "HTTP/2", "grpc", or a plugin's
      protocol_version: res.protocolVersion,
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
