export { nginxValidateCommand, nginxReloadCommand } from './nginx.js';
export { supervisorValidateCommand, supervisorApplyCommand, supervisorctl, SUPERVISOR_CONF } from './supervisor.js';
