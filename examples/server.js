// A small Express service with the mistakes sg-lsp exists to catch.
const express = require('express');
const { exec } = require('child_process');

const app = express();
const pattern = /^[\w-]+$/;

app.get('/deploy', (req, res) => {
  // pattern.exec() is a RegExp method, not a shell: never flagged
  if (!pattern.exec(req.query.branch)) return res.status(400).end();
  exec(`git checkout ${req.query.branch}`, (err) => res.send(err ? 'failed' : 'ok'));
});

app.get('/preview', (req, res) => {
  const el = { innerHTML: '' };
  el.innerHTML = req.query.html;
  res.send(el.innerHTML);
});

app.get('/sessions', (req, res) => {
  const sessionToken = Math.random().toString(36).slice(2);
  res.cookie('session', sessionToken).end();
});

module.exports = app;
