import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BaseChatModelCallOptions, BaseChatModelParams, BindToolsInput } from "@langchain/core/language_models/chat_models";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { AIMessage, AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { Runnable } from "@langchain/core/runnables";

/** Decides the next assistant message (text or tool calls) from the conversation so far. Must be pure. */
export type ChatScript = (messages: BaseMessage[]) => AIMessage;

/**
 * A deterministic, offline tool-calling chat model: each turn, a script reads the conversation and returns the
 * next assistant message. Used by the demo when no real model is configured, and by tests. It holds no
 * per-run state, so one instance serves concurrent runs.
 */
export class ScriptedChatModel extends BaseChatModel {
  /** @ignore */
  static override lc_name(): string {
    return "ScriptedChatModel";
  }

  readonly #script: ChatScript;

  /**
   * @param script - returns the next assistant message for a conversation
   * @param params - BaseChatModel parameters (callbacks, tags, …)
   */
  constructor(script: ChatScript, params: BaseChatModelParams = {}) {
    super(params);
    this.#script = script;
  }

  /** @ignore */
  _llmType(): string {
    return "scripted";
  }

  /** Tools are decided by the script, so binding returns the model itself. */
  override bindTools(
    _tools: BindToolsInput[],
    _kwargs?: Partial<BaseChatModelCallOptions>,
  ): Runnable<BaseLanguageModelInput, AIMessageChunk, BaseChatModelCallOptions> {
    return this;
  }

  /** @ignore */
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const message = this.#script(messages);
    return { generations: [{ text: typeof message.content === "string" ? message.content : "", message }] };
  }
}
