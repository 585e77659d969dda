//! Fine-tuning: `local` trains a model on this machine with llama.cpp (`llama_log` reads
//! its trainer's progress).

pub mod llama_log;
pub mod local;
