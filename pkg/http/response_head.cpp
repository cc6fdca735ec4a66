#include "pkg/http/response_head.h"

#include <boost/beast/http/status.hpp>
#include <charconv>

#include "pkg/http/request.h"

namespace skiff::http {

namespace {

void append_status_line(std::string& head, unsigned status) {
  char digits[16];
  const auto end = std::to_chars(digits, digits + sizeof digits, status).ptr;
  head += "HTTP/1.1 ";
  head.append(digits, end);
  head += ' ';
  const auto reason =
      boost::beast::http::obsolete_reason(static_cast<boost::beast::http::status>(status));
  head.append(reason.data(), reason.size());
  head += "\r\n";
}

bool set_by_server(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Connection") ||
         iequals(name, "Transfer-Encoding");
}

void append_headers(std::string& head, const Headers& headers) {
  for (const auto& [name, value] : headers) {
    if (set_by_server(name)) continue;
    head += name;
    head += ": ";
    head += value;
    head += "\r\n";
  }
}

// RFC 9110 8.6: no Content-Length on informational, 204 and 304 answers.
bool has_no_content(unsigned status) {
  return status < 200 || status == 204 || status == 304;
}

}  // namespace

void append_response_head(std::string& head, unsigned status, const Headers& headers,
                          size_t content_length, bool keep_alive) {
  append_status_line(head, status);
  append_headers(head, headers);
  if (!has_no_content(status)) {
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, content_length).ptr;
    head += "Content-Length: ";
    head.append(digits, end);
    head += "\r\n";
  }
  // HTTP/1.1 keeps connections alive unless told otherwise.
  if (!keep_alive) head += "Connection: close\r\n";
  head += "\r\n";
}

std::string format_stream_head(unsigned status, const Headers& headers) {
  std::string head;
  append_status_line(head, status);
  append_headers(head, headers);
  // Streams end the connection: a watch or log follow is long-lived and clients re-dial.
  head += "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  return head;
}

}  // namespace skiff::http
