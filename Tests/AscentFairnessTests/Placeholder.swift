import Testing
// The AscentFairnessTests suite lands with its target; this keeps the target building until then.
