import Testing
// The AscentCLITests suite lands with its target; this keeps the target building until then.
