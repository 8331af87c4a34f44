import Testing
// The AscentLogTests suite lands with its target; this keeps the target building until then.
