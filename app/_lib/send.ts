/** Moved to lib/client/send.ts; this binds it to the app's RPC client, chain and gas relay route. */
import * as client from "../../lib/client/send.ts";
import { appChain } from "./config";
import type { ChainDeployment } from "./deployments";
import { publicClient } from "./wagmi";

export { ActionError, allAbis, stageWords, type ContractCall, type SendResult, type SendStage, type Signer } from "../../lib/client/send.ts";

const context = (deployment: ChainDeployment): client.SendContext => ({ client: publicClient, deployment, chain: appChain, relayUrl: "/api/relay" });

export const whyWouldFail = (d: ChainDeployment, from: client.Signer["address"], call: client.ContractCall) => client.whyWouldFail(context(d), from, call);

export const sendCall = (d: ChainDeployment, signer: client.Signer, call: client.ContractCall, onStage?: (s: client.SendStage) => void) =>
  client.sendCall(context(d), signer, call, onStage);
