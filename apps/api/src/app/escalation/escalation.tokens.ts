/** Injection token of the escalation counters (EscalationMetrics). */
export const ESCALATION_METRICS = Symbol('ESCALATION_METRICS');
