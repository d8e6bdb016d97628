-- The trace context a delivery was recorded in (`traceparent`, `tracestate`; null when tracing
-- was off): every attempt to send it, later and in another loop, is a span of that trace, so
-- a push's trace ends in the request its webhook received.
alter table deliveries add column trace_context jsonb;
