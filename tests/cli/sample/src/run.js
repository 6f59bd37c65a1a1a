const { exec } = require('child_process');
const pattern = /(\d+)/;

function deploy(branch) {
  pattern.exec(branch);
  exec(`git checkout ${branch}`, () => {});
}
