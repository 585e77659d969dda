import { describe, expect, it } from "vitest";
import type { FineTuneJob_Serialize as Job } from "../bindings";
import { upsertJob } from "./finetune-live";

const job = (id: number, status: string) => ({ id, status }) as unknown as Job;

describe("live job list", () => {
  it("replaces a job the poller sent and adds a new one newest first", () => {
    const jobs = [job(2, "running"), job(1, "succeeded")];
    expect(upsertJob(jobs, job(2, "succeeded")).map((j) => [j.id, j.status])).toEqual([[2, "succeeded"], [1, "succeeded"]]);
    expect(upsertJob(jobs, job(3, "validating")).map((j) => j.id)).toEqual([3, 2, 1]);
    expect(jobs.map((j) => j.status)).toEqual(["running", "succeeded"]);
  });
});
