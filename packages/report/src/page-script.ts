// The only script of the page: fills the run-times table from artifacts/.runs/report-runs.js,
// which calls cvcShowRuns(info). Builds DOM with textContent (no HTML from data).
export const RUN_TIMES_SCRIPT = `
function cvcShowRuns(info) {
  cvcShowDagStatus(info);
  var box = document.getElementById('run-times');
  if (!box) return;
  var labels = {
    ran: 'ran in this run', cached: 'from cache', 'not-run': 'not run (artifacts reused)',
    later: 'ran after this report was built', 'other-run': 'ran in another, concurrent nx run', building: 'this build', 'no-record': 'no execution recorded here', unknown: 'unknown'
  };
  box.textContent = '';
  var p = document.createElement('p');
  p.className = 'facts';
  var run = info.run;
  p.textContent = run
    ? 'This run: ' + (run.kind === 'nx' ? 'the nx invocation (pid ' + run.nxPid + ') started ' : 'cvc stage report, started ') + run.startedAt.replace('T', ' ').replace(/\\.\\d+Z$/, ' UTC') +
      '. Times written ' + info.writtenAt.replace('T', ' ').replace(/\\.\\d+Z$/, ' UTC') + ' by ' + info.writtenBy + '.'
    : 'No report build recorded; times written ' + info.writtenAt + ' by ' + info.writtenBy + '.';
  box.appendChild(p);
  var wrap = document.createElement('div');
  wrap.className = 'table-wrap';
  var table = document.createElement('table');
  var head = table.createTHead().insertRow();
  // Backend and profile columns give way on a phone (class wide-only), so the status stays visible.
  var classes = ['', 'num', '', 'wide-only', 'wide-only', ''];
  ['stage', 'wall time (s)', 'finished (UTC)', 'backend', 'profile', 'in this run'].forEach(function (h, i) {
    var th = document.createElement('th');
    th.textContent = h;
    th.className = classes[i];
    head.appendChild(th);
  });
  var body = table.createTBody();
  info.stages.forEach(function (s) {
    var row = body.insertRow();
    var cells = [s.stage, s.seconds === null ? '—' : s.seconds.toFixed(1), s.finishedAt ? s.finishedAt.slice(5, 19).replace('T', ' ') : '—',
      s.backend || '—', s.profile || '—', labels[s.status] || s.status];
    cells.forEach(function (text, i) {
      var td = row.insertCell();
      td.textContent = text;
      td.className = i === 5 ? 'status-' + s.status : classes[i];
      if (i === 2 && s.finishedAt) td.title = s.finishedAt;
    });
  });
  wrap.appendChild(table);
  box.appendChild(wrap);
}
// The pipeline picture: each stage's status line.
function cvcShowDagStatus(info) {
  info.stages.forEach(function (s) {
    var node = document.querySelector('.dag-status[data-stage="' + s.stage + '"]');
    if (!node) return;
    var ran = s.status === 'ran' && s.seconds !== null;
    var short = { cached: 'from cache', 'not-run': 'reused, not run', building: 'this build', 'no-record': 'not run here', later: 'ran later', 'other-run': 'other nx run' };
    node.textContent = ran ? 'ran ' + s.seconds.toFixed(1) + ' s' : short[s.status] || s.status;
    node.setAttribute('class', 'dag-status ' + (ran || s.status === 'building' ? 'dag-ran' : s.status === 'cached' ? 'dag-cached' : ''));
  });
}
`;
