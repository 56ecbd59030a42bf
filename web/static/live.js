// Live updates: an element with data-watch="/api/..." is polled while what it shows runs; the
// page reloads once something it shows has finished, to show the outcome.
"use strict";

const POLL_MS = 1000;
const FINISHED = new Set(["succeeded", "failed", "cancelled", "finished"]);

function show(scope, job) {
  const status = scope.querySelector('[data-field="status"]');
  if (status) {
    status.textContent = job.status;
    status.className = "status " + job.status;
  }
  const progress = scope.querySelector('[data-field="progress"]');
  if (progress) progress.textContent = job.status === "running" || !scope.dataset.id ? Math.round(job.progress * 100) + "%" : "";
  const bar = scope.querySelector('[data-field="bar"]');
  if (bar) bar.value = job.progress;
  const note = scope.querySelector('[data-field="note"]');
  if (note) note.textContent = job.error || (job.status === "running" ? job.progress_message : "");
}

function showSweep(scope, sweep) {
  scope.querySelector('[data-field="progress"]').textContent = sweep.done + "/" + sweep.size;
  scope.querySelector('[data-field="bar"]').value = sweep.done;
}

async function poll(element) {
  const rows = Array.from(element.querySelectorAll("tr[data-id]"));
  const running = rows.length
    ? rows.some((row) => !FINISHED.has(row.dataset.status))
    : !FINISHED.has(element.dataset.status);
  if (!running) return;
  try {
    const response = await fetch(element.dataset.watch, { headers: { Accept: "application/json" } });
    if (response.ok) {
      const data = await response.json();
      if (data.jobs) {
        const byId = new Map(data.jobs.map((job) => [job.id, job]));
        for (const row of rows) {
          const job = byId.get(row.dataset.id);
          if (!job) continue;
          show(row, job);
          if (FINISHED.has(job.status) && !FINISHED.has(row.dataset.status)) return location.reload();
          row.dataset.status = job.status;
        }
      } else if ("counts" in data) {
        showSweep(element, data);
        if (data.finished) return location.reload();
      } else {
        show(element, data);
        if (FINISHED.has(data.status)) return location.reload();
      }
    }
  } catch (error) {
    // The server is restarting or unreachable: try again at the next tick.
  }
  setTimeout(() => poll(element), POLL_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  for (const element of document.querySelectorAll("[data-watch]")) {
    setTimeout(() => poll(element), POLL_MS);
  }
});
