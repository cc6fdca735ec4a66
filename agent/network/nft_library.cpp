#include "agent/network/nft_library.h"

#include <nftables/libnftables.h>

namespace skiff::agent::network {

void NftLibrary::ContextFree::operator()(nft_ctx* context) const {
  nft_ctx_free(context);
}

NftLibrary::NftLibrary() : context_(nft_ctx_new(NFT_CTX_DEFAULT)) {
  if (!context_) throw NftError("nft: libnftables could not make a context");
  // Buffered, so messages come back in the result instead of going to the agent's stdout and
  // stderr.
  if (nft_ctx_buffer_output(context_.get()) != 0 || nft_ctx_buffer_error(context_.get()) != 0) {
    throw NftError("nft: libnftables could not buffer its output");
  }
}

NftResult NftLibrary::run(const std::string& script) {
  std::lock_guard lock(mutex_);
  int status = nft_run_cmd_from_buffer(context_.get(), script.c_str());
  // Each get rewinds its buffer, so the next run's messages start empty.
  std::string output = nft_ctx_get_output_buffer(context_.get());
  output += nft_ctx_get_error_buffer(context_.get());
  // The library returns -1 where the nft program exits with 1; the contract is the program's.
  return NftResult{status == 0 ? 0 : 1, std::move(output)};
}

NftRunnerPtr default_nft_runner() {
  return std::make_unique<NftLibrary>();
}

}  // namespace skiff::agent::network
