import { type Attributes, type Context, createContextKey, type Span, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';

/**
 * What every span of the gateway is made with: one app's tracer and its own AsyncLocalStorage context manager.
 *
 * Loaded only when tracing is on, with the SDK (tracing-sdk.ts). It imports nothing of the gateway's own at run time,
 * and the modules that make the gateway's spans (operation-tracing.ts, store-tracing.ts, tracing.ts) use it through
 * its type only: the bundle (scripts/bundle.ts) then keeps the SDK in one lazy chunk that shares no module with the
 * main bundle, instead of splitting the main bundle into more shared chunks loaded at every start.
 *
 * Nothing is registered with OpenTelemetry's global API: every span is started with its parent context given
 * explicitly, and contexts are entered through this app's manager. Two apps in one process (tests) never see each
 * other's spans, and stopping one leaves no global state behind.
 */

/** The request id of the operation or callback a span runs under, carried in the context to its children. */
const REQUEST_ID_ATTRIBUTE = 'gateway.request_id';
const REQUEST_ID = createContextKey(REQUEST_ID_ATTRIBUTE);
/** OpenTelemetry's `error.type` attribute (semantic conventions). */
const ERROR_TYPE = 'error.type';

export class TraceKit {
  constructor(
    private readonly tracer: Tracer,
    private readonly contexts: AsyncLocalStorageContextManager,
  ) {}

  /**
   * A root span (an operation, a callback) for the request `requestId`, and the context its work runs in: children
   * started there inherit the request id. The span is its trace's root: the sampling decision is made here.
   */
  startRoot(name: string, requestId: string | undefined, attributes: Attributes): { span: Span; context: Context } {
    const parent = this.contexts.active();
    const span = this.tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
    if (requestId !== undefined) span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
    let context = trace.setSpan(parent, span);
    if (requestId !== undefined) context = context.setValue(REQUEST_ID, requestId);
    return { span, context };
  }

  /**
   * A client span (an upstream request, a store query) under whatever span the calling code runs in, carrying that
   * span's request id. Not entered as the active context: nothing runs beneath these.
   */
  startClient(name: string, attributes: Attributes): Span {
    const parent = this.contexts.active();
    const span = this.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes }, parent);
    const requestId = parent.getValue(REQUEST_ID);
    if (typeof requestId === 'string') span.setAttribute(REQUEST_ID_ATTRIBUTE, requestId);
    return span;
  }

  /** Runs `fn` with `context` active (so the spans it starts are children of the context's span). */
  within<T>(context: Context, fn: () => T): T {
    return this.contexts.with(context, fn);
  }

  /**
   * Marks the span failed with a bounded description only (a code, an outcome, an error class): never an error's
   * message, which may quote upstream text or values (src/redact.ts), since a span leaves the process unredacted.
   */
  fail(span: Span, description: string, errorType: string = description): void {
    span.setAttribute(ERROR_TYPE, errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, message: description });
  }
}
