#include "agent/ingress/deadlines.h"

namespace skiff::agent::ingress {

Deadline::Deadline(DeadlineList& list) : list_(list) {
  list_.link(*this);
}

Deadline::~Deadline() {
  list_.unlink(*this);
}

Deadline::Clock::time_point Deadline::list_now() const {
  return list_.now();
}

void Deadline::fire() {
  fired_ = true;
  at_ = Clock::time_point::max();
  for (const Guarded& guarded : sockets_) {
    if (guarded.socket) guarded.close(guarded.socket);
  }
}

void DeadlineList::link(Deadline& deadline) {
  deadline.next_ = head_;
  if (head_) head_->previous_ = &deadline;
  head_ = &deadline;
}

void DeadlineList::unlink(Deadline& deadline) {
  if (deadline.previous_) {
    deadline.previous_->next_ = deadline.next_;
  } else {
    head_ = deadline.next_;
  }
  if (deadline.next_) deadline.next_->previous_ = deadline.previous_;
  deadline.previous_ = deadline.next_ = nullptr;
}

void DeadlineList::sweep() {
  refresh_now();
  for (Deadline* deadline = head_; deadline;) {
    Deadline* next = deadline->next_;  // fire() never unlinks, but stay safe against reordering
    if (deadline->at_ <= now_) deadline->fire();
    deadline = next;
  }
}

}  // namespace skiff::agent::ingress
