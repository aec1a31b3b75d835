// report.html's stepper (html.py inlines this file): the entry's and the
// return's steps one at a time, with the arrow keys, Home and End, the
// buttons or the slider.  Every value comes from the steps embedded as
// JSON (trace_model.stepper), the same rows the tables show.  The page
// reads whole without it: the script only unhides the controls and, per
// step, marks the step's row, its source line and the pt_regs slots filled
// by then.  Plain ES2017, no library, no network.
// It runs once the page is parsed: the tables and the diagram it marks
// come after it.
document.addEventListener('DOMContentLoaded', () => {
  'use strict';
  const root = document.getElementById('stepper');
  const steps = JSON.parse(document.getElementById('stepper-steps').textContent);
  const slider = root.querySelector('input[type=range]');
  const number = root.querySelector('output');
  const prev = root.querySelector('button[data-go="-1"]');
  const next = root.querySelector('button[data-go="1"]');
  const cells = root.querySelectorAll('table.now td');
  const listing = root.querySelector('pre.listing');
  const lines = listing.querySelectorAll('[data-line]');
  const slots = document.querySelectorAll('svg g[data-field]');
  const last = steps.length - 1;
  let current = 0;

  function showRow(step) {
    document.querySelectorAll('tr.current').forEach(tr => tr.classList.remove('current'));
    // rows[0] is the table's head
    document.getElementById(step.table).rows[step.row + 1].classList.add('current');
  }

  // The line is scrolled to within the listing only: scrolling the page
  // under the reader at each key would lose the diagram below.
  function showSource(step) {
    lines.forEach((line, i) => line.classList.toggle('current', i === step.source));
    if (step.source !== null) {
      const line = lines[step.source];
      listing.scrollTop = line.offsetTop - (listing.clientHeight - line.offsetHeight) / 2;
    }
  }

  // A popped slot stays filled: a pop reads the word, it does not erase it.
  function showSlots(step) {
    slots.forEach(g => {
      const field = g.dataset.field;
      g.classList.toggle('filled', step.filled.includes(field));
      g.classList.toggle('popped', step.popped.includes(field));
      g.classList.toggle('current', step.slot === field);
    });
  }

  function show(n) {
    current = Math.max(0, Math.min(last, n));
    const step = steps[current];
    number.textContent = current + 1;
    slider.value = current + 1;
    prev.disabled = current === 0;
    next.disabled = current === last;
    step.cells.forEach((text, i) => { cells[i].textContent = text; });
    showRow(step);
    showSource(step);
    showSlots(step);
  }

  const KEYS = {
    ArrowLeft: () => current - 1,
    ArrowRight: () => current + 1,
    Home: () => 0,
    End: () => last,
  };
  document.addEventListener('keydown', e => {
    const to = KEYS[e.key];
    if (!to || e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    // also keeps a focused slider from stepping a second time by itself
    e.preventDefault();
    show(to());
  });
  slider.addEventListener('input', () => show(slider.value - 1));
  prev.addEventListener('click', () => show(current - 1));
  next.addEventListener('click', () => show(current + 1));
  document.body.classList.add('stepping');
  root.hidden = false;
  show(0);
});
