"""The review page (``plots/review.html``): listen to each suspect, decide, export fault-list rows.

One HTML file with its own style and script, no server and no network: it opens from ``file://``
in a current browser. Each row plays the clip from ``data/raw`` and shows its mel picture from
``data/inputs/mels/images`` through links relative to the page (the audio stays where the pipeline
keeps it, so the page stays small), and offers three choices: keep the label, relabel the clip to
a genre (the models' suggestion preselected), or drop it as music of none of the genres. "Export"
downloads the choices as a fault list in ``extra_faults.csv``'s format (:mod:`musicgenre.faults`),
header first; its rows go below the header of ``extra_faults.csv``, and ``clean`` applies them.
The choices live in the page until exported (it asks before closing on unexported ones).
"""

import html
import json
from urllib.parse import quote

from .faults import FAULT_COLUMNS

#: The name the exported fault list downloads under.
EXPORT_NAME = "review_faults.csv"

_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; margin: 0 0 .3em; }
p.how { max-width: 60em; color: #444; }
#bar { position: sticky; top: 0; background: #fff; padding: .5em 0; border-bottom: 1px solid #ddd; z-index: 1; }
button { font: inherit; padding: .3em 1em; }
table { border-collapse: collapse; margin-top: 1em; }
td, th { border-bottom: 1px solid #e4e4e4; padding: .5em; vertical-align: top; text-align: left; }
td.file code { font-size: .95em; }
.who { color: #666; font-size: .9em; }
.listed { color: #8a5a00; font-size: .9em; }
img.mel { width: 260px; height: 90px; display: block; margin-top: .3em; }
audio { width: 260px; }
.p { color: #666; }
label { display: block; white-space: nowrap; }
textarea { width: 100%; height: 8em; font-family: monospace; margin-top: .5em; }
"""

_SCRIPT = """
const COLUMNS = %(columns)s;
const EXPORT_NAME = %(export_name)s;
let exported = true;
function csvCell(value) {
  const text = String(value);
  return /[",\\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}
function decisions() {
  const rows = [];
  for (const row of document.querySelectorAll('tr.suspect')) {
    const choice = row.querySelector('input[type=radio]:checked').value;
    if (choice === 'keep') continue;
    const file = row.dataset.file, given = row.dataset.given;
    if (choice === 'relabel') {
      const genre = row.querySelector('select').value;
      rows.push([file, 'mislabel', '', genre, 'review: heard as ' + genre + ', filed under ' + given]);
    } else {
      rows.push([file, 'mislabel', '', '', 'review: none of the genres (filed under ' + given + ')']);
    }
  }
  return rows;
}
function refresh() {
  const rows = decisions();
  document.getElementById('count').textContent = rows.length + ' decision' + (rows.length === 1 ? '' : 's');
  document.getElementById('rows').value = [COLUMNS, ...rows].map(r => r.map(csvCell).join(',')).join('\\n') + '\\n';
  exported = rows.length === 0;
}
function exportRows() {
  refresh();
  const blob = new Blob([document.getElementById('rows').value], {type: 'text/csv'});
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = EXPORT_NAME;
  document.body.appendChild(link);
  link.click();
  link.remove();
  exported = true;
}
document.addEventListener('change', event => {
  const row = event.target.closest('tr.suspect');
  if (row && event.target.tagName === 'SELECT') row.querySelector('input[value=relabel]').checked = true;
  refresh();
});
window.addEventListener('beforeunload', event => {
  if (!exported) { event.preventDefault(); event.returnValue = ''; }
});
document.getElementById('export').addEventListener('click', exportRows);
refresh();
"""


def href(path):
    """A link relative to the page (``plots/``) to a project file."""
    return "../" + quote(str(path).replace("\\", "/"))


def page(suspects, genres, audio_of, image_of, summary):
    """The review page as text. ``suspects``: rows of ``data/review/suspects.csv`` to show, in rank
    order; ``audio_of(file)`` and ``image_of(file)`` give project paths (a picture that does not load,
    where the mels are not computed, is left out);
    ``summary``: one line saying what was reviewed and how."""
    rows = []
    for index, row in enumerate(suspects.to_dict("records")):
        name = f"choice{index}"
        options = "".join(f'<option{" selected" if genre == row["suggested"] else ""}>{html.escape(genre)}</option>'
                          for genre in genres if genre != row["given"])
        who = " – ".join(part for part in (row["artist"], row["title"]) if part)
        data = f'data-file="{html.escape(row["file"])}" data-given="{html.escape(row["given"])}"'
        rows.append(f"""<tr class="suspect" {data}>
<td>{row['rank']}</td>
<td class="file"><code>{html.escape(row['file'])}</code><div class="who">{html.escape(who)}</div>
{f'<div class="listed">already listed: {html.escape(row["listed"])}</div>' if row["listed"] else ''}</td>
<td><audio controls preload="metadata" src="{href(audio_of(row['file']))}"></audio>
<img class="mel" alt="mel spectrogram" src="{href(image_of(row['file']))}" onerror="this.remove()"></td>
<td>filed under <b>{html.escape(row['given'])}</b> <span class="p">({row['p_given']:.2f})</span><br>
models hear <b>{html.escape(row['suggested'])}</b> <span class="p">({row['p_suggested']:.2f})</span></td>
<td><label><input type="radio" name="{name}" value="keep" checked> keep {html.escape(row['given'])}</label>
<label><input type="radio" name="{name}" value="relabel"> relabel to <select>{options}</select></label>
<label><input type="radio" name="{name}" value="drop"> drop: none of the genres</label></td>
</tr>""")
    script = _SCRIPT % {"columns": json.dumps(FAULT_COLUMNS), "export_name": json.dumps(EXPORT_NAME)}
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>musicgenre: review suspects</title>
<style>{_STYLE}</style></head>
<body>
<h1>Clips whose label the models doubt</h1>
<p class="how">{html.escape(summary)} Listen to each clip and choose. <b>Export</b> downloads your
choices as <code>{EXPORT_NAME}</code>: add its rows (all but the header line) to
<code>extra_faults.csv</code>, then <code>dvc repro</code> relabels or drops those clips
(<code>clean.mislabel_policy</code>). Choices stay in this page until you export them.</p>
<div id="bar"><button id="export" type="button">Export</button> <span id="count"></span></div>
<table>
<thead><tr><th>#</th><th>clip</th><th>listen</th><th>labels</th><th>decision</th></tr></thead>
<tbody>
{chr(10).join(rows)}
</tbody></table>
<details><summary>the rows Export writes</summary><textarea id="rows" readonly></textarea></details>
<script>{script}</script>
</body></html>
"""
