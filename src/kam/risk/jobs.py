"""The simulation as a background job (see kam.core.jobs)."""

from __future__ import annotations

from kam.risk.services import simulation_execute


def simulate_job(*, job, progress, scenarios: int, seed: int) -> dict:
    run = simulation_execute(
        scenarios=int(scenarios),
        seed=int(seed),
        by=job.created_by,
        progress=lambda done, total: progress(done, total, "simulate"),
    )
    return {"run": str(run.public_id), "scenarios": run.scenarios}
