#include "server/nodeservice/node_token.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>

namespace skiff::nodeservice {

namespace {

std::string random_token() {
  std::random_device random;  // the kernel's getrandom()
  static const char* digits = "0123456789abcdef";
  std::string token;
  for (int i = 0; i < 32; ++i) {
    const unsigned byte = random() & 0xff;
    token += digits[byte >> 4];
    token += digits[byte & 0xf];
  }
  return token;
}

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  if (!in) return "";
  std::string token;
  std::getline(in, token);
  while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) {
    token.pop_back();
  }
  return token;
}

void write_token(const std::string& path, const std::string& token) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  const std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write the node token file " + temporary);
  const std::string line = token + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::fchmod(fd, 0600);
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write the node token file " + temporary);
  std::filesystem::rename(temporary, path);
}

}  // namespace

std::string load_or_create_node_token(const std::string& path, const std::string& given) {
  if (!given.empty()) {
    if (read_token(path) != given) write_token(path, given);
    return given;
  }
  std::string token = read_token(path);
  if (!token.empty()) return token;
  token = random_token();
  write_token(path, token);
  return token;
}

}  // namespace skiff::nodeservice
