import { describe, expect, it } from "vitest";
import { DreamFactoryCredential, RefreshCoordinator } from "../src/identity/index.js";
import { mintToken } from "./identity-token-factory.js";

const NOW = Math.floor(Date.now() / 1000);

async function credentialFor(userId: number, exp = NOW + 3600): Promise<DreamFactoryCredential> {
  return DreamFactoryCredential.fromSessionToken(await mintToken({ userId, exp }), { now: () => (NOW - 10) * 1000 });
}

describe("RefreshCoordinator", () => {
  it("coalesces 50 concurrent refreshes of one token into one call and tells the listener once", async () => {
    const old = await credentialFor(1);
    const fresh = await credentialFor(1);
    let performed = 0;
    const announced: Array<[number, string]> = [];
    const coordinator = new RefreshCoordinator(
      async () => {
        performed += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
        return fresh;
      },
      (next, previous) => {
        announced.push([next.userId, previous.fingerprint]);
      },
    );
    const results = await Promise.all(Array.from({ length: 50 }, () => coordinator.refresh(old)));
    expect(performed).toBe(1);
    expect(results.every((r) => r === fresh)).toBe(true);
    expect(announced).toEqual([[1, old.fingerprint]]);
    // Late callers holding the old (now blacklisted) token get the remembered result, no second refresh.
    expect(await coordinator.refresh(old)).toBe(fresh);
    expect(coordinator.latest(old)).toBe(fresh);
    expect(performed).toBe(1);
  });

  it("keeps different tokens apart and follows refresh chains to the newest token", async () => {
    const alice = await credentialFor(1);
    const bob = await credentialFor(2);
    const aliceExpiring = await credentialFor(1, NOW - 1); // already expired on the real clock
    const aliceNewest = await credentialFor(1);
    const refreshedFrom: string[] = [];
    const coordinator = new RefreshCoordinator(async (previous) => {
      refreshedFrom.push(previous.fingerprint);
      if (previous === alice) return aliceExpiring;
      if (previous === aliceExpiring) return aliceNewest;
      return credentialFor(previous.userId);
    });
    const [a, b] = await Promise.all([coordinator.refresh(alice), coordinator.refresh(bob)]);
    expect(a).toBe(aliceExpiring);
    expect(b.userId).toBe(2);
    expect(coordinator.latest(bob)).toBe(b);
    expect(coordinator.latest(alice, (NOW - 5) * 1000)).toBe(aliceExpiring);
    expect(coordinator.latest(alice)).toBeUndefined(); // the remembered one is expired
    // Refreshing alice's first token again refreshes the chain's tail (the first one is blacklisted).
    expect(await coordinator.refresh(alice)).toBe(aliceNewest);
    expect(refreshedFrom).toEqual([alice.fingerprint, bob.fingerprint, aliceExpiring.fingerprint]);
    expect(coordinator.latest(alice)).toBe(aliceNewest);
  });

  it("does not remember failures", async () => {
    const old = await credentialFor(1);
    const fresh = await credentialFor(1);
    let calls = 0;
    const coordinator = new RefreshCoordinator(async () => {
      calls += 1;
      if (calls === 1) throw new Error("refresh down");
      return fresh;
    });
    await expect(Promise.all([coordinator.refresh(old), coordinator.refresh(old)])).rejects.toThrow("refresh down");
    expect(calls).toBe(1);
    expect(await coordinator.refresh(old)).toBe(fresh);
    expect(calls).toBe(2);
    expect(JSON.stringify(coordinator)).toBe('{"inflight":0,"remembered":1}');
  });

  it("remembers the result before the listener runs, so a failing listener causes no second refresh", async () => {
    const old = await credentialFor(1);
    const fresh = await credentialFor(1);
    let calls = 0;
    const coordinator = new RefreshCoordinator(
      async () => {
        calls += 1;
        return fresh;
      },
      () => {
        throw new Error("app could not store the token");
      },
    );
    await expect(coordinator.refresh(old)).rejects.toThrow("app could not store the token");
    expect(await coordinator.refresh(old)).toBe(fresh);
    expect(calls).toBe(1);
  });
});
