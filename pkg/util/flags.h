#pragma once
// A small command-line flag parser with the GNU/kubectl conventions: `--name value`,
// `--name=value`, boolean `--flag` / `--flag=false`, short aliases (`-n`), repeated flags, and
// positional arguments (everything after `--` is positional).
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace skiff::util {

class FlagError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Flags {
 public:
  // Declare flags before parse(). `names` is "name" or "name,n" (long, short alias).
  void add_string(const std::string& names, std::string default_value, std::string help);
  void add_bool(const std::string& names, bool default_value, std::string help);
  void add_int(const std::string& names, long long default_value, std::string help);
  // A flag that may be given many times (e.g. -f a.yaml -f b.yaml).
  void add_list(const std::string& names, std::string help);

  // Throws FlagError naming the flag on unknown flags or bad values.
  void parse(const std::vector<std::string>& args);

  std::string get_string(const std::string& name) const;
  bool get_bool(const std::string& name) const;
  long long get_int(const std::string& name) const;
  std::vector<std::string> get_list(const std::string& name) const;
  bool was_set(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }
  // "  --name value   help" lines for usage text.
  std::string usage() const;

 private:
  enum class Type { String, Bool, Int, List };
  struct Flag {
    std::string name;
    std::string short_name;
    Type type;
    std::string default_value;
    std::string help;
    std::vector<std::string> values;
    bool set = false;
  };
  Flag& declare(const std::string& names, Type type, std::string default_value, std::string help);
  Flag* find(const std::string& name);
  const Flag& lookup(const std::string& name) const;

  std::vector<Flag> flags_;
  std::vector<std::string> positional_;
};

}  // namespace skiff::util
