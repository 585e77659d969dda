// Test data shared by the screens' tests: the corrected comparisons of a three-arm run
// (prompting 0.75, fine-tuned 0.875, hybrid 1 on 225 paired cases).
import type { ArmComparison_Serialize as ArmComparison } from "../bindings";

/** One corrected comparison of a three-arm run: prompting 0.75, fine-tuned 0.875, hybrid 1. */
export function comparison(over: Partial<ArmComparison>): ArmComparison {
  return {
    arm: "fine-tuned", kind: "fine_tuned", against: "prompting", against_baseline: true, n: 225,
    value: 0.875, against_value: 0.75, difference: 0.125, interval: { low: 0.08, high: 0.17, confidence: 0.95 },
    interval_method: "newcombe", mcnemar_p: 0.0000012, p_value: 0.0000012, p_method: "McNemar exact", holm_p: 0.0000024,
    margin_absolute: 0.0375, verdict_kind: "justified", cases_to_settle: null, leading: false,
    sentence: "fine-tuned − prompting on accuracy is +0.125 (0.875 vs 0.75; 95 % CI +0.08 to +0.17; n = 225); …",
    ...over,
  };
}

export const THREE: ArmComparison[] = [
  comparison({}),
  comparison({ arm: "hybrid", kind: "hybrid", value: 1, difference: 0.25, interval: { low: 0.19, high: 0.31, confidence: 0.95 }, leading: true }),
  comparison({
    arm: "hybrid", kind: "hybrid", against: "fine-tuned", against_baseline: false, value: 1, against_value: 0.875,
    difference: 0.125, p_value: 0.012, holm_p: 0.012, mcnemar_p: 0.012, margin_absolute: 0.04375,
  }),
];
