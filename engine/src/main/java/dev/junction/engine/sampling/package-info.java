/**
 * Token sampling: {@link dev.junction.engine.sampling.SamplingParams} describes how to choose the next token
 * (temperature, top-k, top-p, min-p, repetition/frequency/presence penalties, logit bias, seed) and a
 * {@link dev.junction.engine.sampling.Sampler}, one per sequence, applies them to a logits vector in llama.cpp's
 * default order with its own seeded generator, so a seed reproduces a generation exactly. {@link
 * dev.junction.engine.sampling.TopTokens} picks the most likely tokens of a step (log-probabilities, logit dumps).
 */
package dev.junction.engine.sampling;
