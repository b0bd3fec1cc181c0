export {
  Dialog,
  dialogKey,
  type DialogOwner,
  type DialogRole,
  type DialogState,
  type RespondFn,
} from './dialog.js';
export { nextHop } from './next-hop.js';
export {
  UserAgentCore,
  type DialogTransport,
  type InviteHandlers,
  type OutgoingInvite,
  type RequestHandlers,
  type UserAgentCoreOptions,
  type UserAgentCoreUser,
} from './user-agent-core.js';
