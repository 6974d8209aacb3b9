"""The instructor's dashboard: one static page whose script polls ``api/summary`` every few seconds.

Everything a learner sent (names, messages) is put on the page with ``textContent``, never as HTML,
and the page's Content-Security-Policy allows no inline script.
"""

REFRESH_SECONDS = 3

DASHBOARD_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Classroom: where the class is</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5em auto; max-width: 1100px; color: #222; }
  h1 { font-size: 1.4em; margin-bottom: .2em; }
  h2 { font-size: 1.1em; margin-top: 1.6em; border-bottom: 1px solid #ddd; }
  #status { color: #555; }
  .row { display: grid; grid-template-columns: 7em 1fr 15em; gap: .8em; align-items: center; margin: .25em 0; }
  .bar { display: flex; height: 1.3em; background: #eee; border-radius: 3px; overflow: hidden; }
  .bar span { display: block; height: 100%; }
  .right { background: #009E73; } .stuck { background: #D55E00; } .notstarted { background: #ccc; }
  .legend span { display: inline-block; width: .9em; height: .9em; margin: 0 .3em 0 1em; vertical-align: -1px; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .3em .5em; border-bottom: 1px solid #eee; vertical-align: top; }
  td.count { text-align: right; font-weight: bold; width: 4em; }
  code { background: #f4f4f4; padding: 0 .2em; }
  .empty { color: #777; font-style: italic; }
</style>
</head>
<body>
<h1>Classroom</h1>
<p id="status" role="status">Loading...</p>
<h2>Exercises</h2>
<p class="legend"><span class="right"></span>right<span class="stuck"></span>stuck (tried, not yet right)<span
 class="notstarted"></span>not started</p>
<div id="exercises"></div>
<h2>Top misconceptions (the most common "not yet" messages)</h2>
<table id="misconceptions"><thead><tr><th>learners</th><th>times</th><th>exercise</th><th>message</th>
<th>still stuck</th></tr></thead><tbody></tbody></table>
<h2>Who is stuck where</h2>
<table id="learners"><thead><tr><th>learner</th><th>right</th><th>stuck on</th><th>last exercise</th>
<th>last seen</th></tr></thead><tbody></tbody></table>
<script src="dashboard.js"></script>
</body>
</html>
"""

DASHBOARD_JS = """"use strict";
// Classroom dashboard: fetch the summary, redraw, repeat. Learner text only ever goes in as textContent.
const REFRESH_MS = %d;

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) tr.appendChild(cell);
  return tr;
}

function ago(seconds) {
  const s = Math.max(0, Math.round(Date.now() / 1000 - seconds));
  return s < 60 ? s + " s ago" : Math.round(s / 60) + " min ago";
}

function drawExercises(summary) {
  const box = document.getElementById("exercises");
  box.replaceChildren();
  if (!summary.exercises.length) box.appendChild(el("p", "No verdicts yet.", "empty"));
  const total = Math.max(summary.learners, 1);
  for (const ex of summary.exercises) {
    const line = el("div", null, "row exercise");
    line.dataset.key = ex.key;
    line.appendChild(el("code", ex.key));
    const bar = el("div", null, "bar");
    bar.setAttribute("role", "img");
    bar.setAttribute("aria-label", ex.right + " right, " + ex.stuck + " stuck, " + ex.not_started + " not started");
    for (const [cls, n] of [["right", ex.right], ["stuck", ex.stuck], ["notstarted", ex.not_started]]) {
      const part = el("span", null, cls);
      part.style.width = (100 * n / total) + "%%";
      bar.appendChild(part);
    }
    line.appendChild(bar);
    const words = ex.right + " right, " + ex.stuck + " stuck" + (ex.stuck_learners.length ? ": " + ex.stuck_learners.join(", ") : "");
    line.appendChild(el("span", words, "counts"));
    box.appendChild(line);
  }
}

function drawMisconceptions(summary) {
  const body = document.querySelector("#misconceptions tbody");
  body.replaceChildren();
  if (!summary.misconceptions.length) body.appendChild(row([el("td", "None yet.", "empty")]));
  for (const m of summary.misconceptions) {
    const tr = row([el("td", m.learners, "count learners"), el("td", m.times, "times"), el("td", m.key),
                    el("td", m.message, "message"), el("td", m.stuck_now)]);
    tr.className = "misconception";
    body.appendChild(tr);
  }
}

function drawLearners(summary) {
  const body = document.querySelector("#learners tbody");
  body.replaceChildren();
  for (const p of summary.progress) {
    const tr = row([el("td", p.learner, "learner"), el("td", p.right), el("td", p.stuck.join(", ") || "-", "stuck-on"),
                    el("td", p.last_exercise), el("td", ago(p.last_seen))]);
    tr.className = "learner";
    body.appendChild(tr);
  }
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const response = await fetch("api/summary", {credentials: "same-origin", cache: "no-store"});
    if (!response.ok) {
      status.textContent = "The summary answered " + response.status + ": log in again.";
      return;
    }
    const summary = await response.json();
    drawExercises(summary);
    drawMisconceptions(summary);
    drawLearners(summary);
    status.textContent = summary.learners + " learners, " + summary.verdicts + " verdicts; updated " +
      new Date().toLocaleTimeString() + " (every " + REFRESH_MS / 1000 + " s).";
  } catch (error) {
    status.textContent = "Cannot reach the classroom service (" + error + "); retrying.";
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
""" % (REFRESH_SECONDS * 1000)
