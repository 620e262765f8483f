"use strict";
// Loaded by preload.cjs: the replies besides execute's (execute.cjs) and kernel_info's
// (kernel-info.cjs) as the messaging spec (5.3) has them. Every reply carries `status`.
//
// tslab 1.0.22 by itself answers shutdown_request without a status, answers comm_info_request
// (JupyterLab and ipywidgets send it) with a message typed "complete_reply", and answers neither
// history_request (JupyterLab's console asks for history when it opens) nor interrupt_request
// (what a front end sends on the control channel when the kernelspec says interrupt_mode
// "message"): it logs "unknown msg_type" and the front end waits. Now: history is empty (tslab
// keeps none), and interrupt_request stops the running cell (interrupt.cjs; the control thread of
// control.cjs, where there is one, has raised SIGINT for it already) and is answered.
const jupyter = require("tslab/dist/jupyter");
const { interrupt } = require("./interrupt.cjs");
const wire = require("./wire.cjs");

/** Replies tslab has none for: request type → (request, socket) → [reply type, content]. */
const OWN_REPLIES = {
  history_request: () => ["history_reply", { status: "ok", history: [] }],
  interrupt_request: (_request, sock) => {
    if (!sock.interruptsItself) interrupt();
    return ["interrupt_reply", { status: "ok" }];
  },
};

jupyter.JupyterHandlerImpl.prototype.handleShutdown = function handleShutdownWithStatus(req) {
  return { status: "ok", restart: req?.restart === true };
};

jupyter.ZmqServer.prototype.handleCommInfoRequest = function handleCommInfoRequest(sock, msg) {
  const reply = msg.createReply();
  reply.header.msg_type = "comm_info_reply";
  // No comms: tslab has no widgets.
  reply.content = { status: "ok", comms: {} };
  reply.signAndSend(this.connInfo.key, sock);
};

const handleShellMessage = jupyter.ZmqServer.prototype.handleShellMessage;
jupyter.ZmqServer.prototype.handleShellMessage = async function handleShellMessageOrOwn(sock, ...frames) {
  const own = OWN_REPLIES[wire.peekType(frames)];
  if (!own) return handleShellMessage.call(this, sock, ...frames);
  const key = this.connInfo.key;
  const request = wire.parse(key, frames);
  if (request instanceof Error) return; // as tslab: a message that does not verify is not answered
  // busy and idle around the reply, as for every request (the status messages have no identities).
  const status = (state) => this.iopub.send(wire.replyFrames(key, request, "status", { execution_state: state }, { identities: [] }));
  status("busy");
  const [replyType, content] = own(request, sock);
  sock.send(wire.replyFrames(key, request, replyType, content));
  status("idle");
};
