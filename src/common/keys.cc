#include "common/keys.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/encoding.h"
#include "common/random.h"

namespace hearth {
namespace {

void EnsureSodium() { (void)SecureRandom::Instance(); }

template <size_t N>
Status Decode32(std::string_view text, const std::string& field, std::array<uint8_t, N>* out,
                std::string_view what) {
  auto raw = Base64Decode(text);
  if (!raw || raw->size() != N) {
    return Status::InvalidArgument(field, "is not a " + std::string(what) + ": expected " +
                                              std::to_string(N) + " bytes in standard base64 (" +
                                              std::to_string((N + 2) / 3 * 4) +
                                              " characters, as printed by wg genkey / wg pubkey)");
  }
  std::memcpy(out->data(), raw->data(), N);
  return Status::Ok();
}

std::string_view AsView(const std::array<uint8_t, 32>& a) {
  return {reinterpret_cast<const char*>(a.data()), a.size()};
}

constexpr std::string_view kIdentityPrefix = "ed25519:";
constexpr std::string_view kIdentityPrivatePrefix = "ed25519-private:";

}  // namespace

StatusOr<WgPublicKey> WgPublicKey::Parse(std::string_view text, const std::string& field) {
  WgPublicKey k;
  HEARTH_RETURN_IF_ERROR(Decode32(text, field, &k.bytes_, "WireGuard public key"));
  return k;
}

std::string WgPublicKey::ToString() const { return Base64Encode(AsView(bytes_)); }

WgPrivateKey WgPrivateKey::Generate() {
  EnsureSodium();
  WgPrivateKey k;
  randombytes_buf(k.bytes_.data(), k.bytes_.size());
  k.bytes_[0] &= 248;
  k.bytes_[31] &= 127;
  k.bytes_[31] |= 64;
  return k;
}

StatusOr<WgPrivateKey> WgPrivateKey::Parse(std::string_view text, const std::string& field) {
  WgPrivateKey k;
  HEARTH_RETURN_IF_ERROR(Decode32(text, field, &k.bytes_, "WireGuard private key"));
  return k;
}

WgPublicKey WgPrivateKey::Public() const {
  EnsureSodium();
  WgPublicKey p;
  // crypto_scalarmult_base clamps internally, so unclamped imported keys match `wg pubkey` too.
  crypto_scalarmult_curve25519_base(p.bytes_.data(), bytes_.data());
  return p;
}

Secret<std::string> WgPrivateKey::ToBase64() const {
  return Secret<std::string>(Base64Encode(AsView(bytes_)));
}

WgPrivateKey::~WgPrivateKey() { sodium_memzero(bytes_.data(), bytes_.size()); }

StatusOr<IdentityPublicKey> IdentityPublicKey::Parse(std::string_view text,
                                                     const std::string& field) {
  if (text.substr(0, kIdentityPrefix.size()) != kIdentityPrefix) {
    return Status::InvalidArgument(field,
                                   "must start with 'ed25519:' followed by the base64 "
                                   "Ed25519 public key");
  }
  IdentityPublicKey k;
  HEARTH_RETURN_IF_ERROR(
      Decode32(text.substr(kIdentityPrefix.size()), field, &k.bytes_, "Ed25519 public key"));
  return k;
}

std::string IdentityPublicKey::ToString() const {
  return std::string(kIdentityPrefix) + Base64Encode(AsView(bytes_));
}

bool IdentityPublicKey::Verify(std::string_view message, std::string_view signature) const {
  EnsureSodium();
  if (signature.size() != crypto_sign_BYTES) return false;
  return crypto_sign_verify_detached(reinterpret_cast<const unsigned char*>(signature.data()),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), bytes_.data()) == 0;
}

IdentityPrivateKey IdentityPrivateKey::Generate() {
  EnsureSodium();
  IdentityPrivateKey k;
  randombytes_buf(k.seed_.data(), k.seed_.size());
  return k;
}

StatusOr<IdentityPrivateKey> IdentityPrivateKey::Parse(std::string_view text,
                                                       const std::string& field) {
  if (text.substr(0, kIdentityPrivatePrefix.size()) != kIdentityPrivatePrefix) {
    return Status::InvalidArgument(field, "must start with 'ed25519-private:'");
  }
  IdentityPrivateKey k;
  HEARTH_RETURN_IF_ERROR(Decode32(text.substr(kIdentityPrivatePrefix.size()), field, &k.seed_,
                                  "Ed25519 private key seed"));
  return k;
}

IdentityPublicKey IdentityPrivateKey::Public() const {
  EnsureSodium();
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  IdentityPublicKey p;
  crypto_sign_seed_keypair(p.bytes_.data(), sk, seed_.data());
  sodium_memzero(sk, sizeof(sk));
  return p;
}

Secret<std::string> IdentityPrivateKey::ToText() const {
  return Secret<std::string>(std::string(kIdentityPrivatePrefix) + Base64Encode(AsView(seed_)));
}

std::string IdentityPrivateKey::Sign(std::string_view message) const {
  EnsureSodium();
  unsigned char pk[crypto_sign_PUBLICKEYBYTES];
  unsigned char sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_seed_keypair(pk, sk, seed_.data());
  std::string sig(crypto_sign_BYTES, '\0');
  crypto_sign_detached(reinterpret_cast<unsigned char*>(sig.data()), nullptr,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size(), sk);
  sodium_memzero(sk, sizeof(sk));
  return sig;
}

IdentityPrivateKey::~IdentityPrivateKey() { sodium_memzero(seed_.data(), seed_.size()); }

Status WritePrivateFile(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp-" + std::to_string(getpid());
  unlink(tmp.c_str());
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return Status::Internal("cannot create " + tmp + ": " + std::strerror(errno) +
                            "; check that the directory exists and is writable");
  }
  fchmod(fd, 0600);  // regardless of umask
  size_t off = 0;
  while (off < contents.size()) {
    const ssize_t n = write(fd, contents.data() + off, contents.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string err = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return Status::Internal("cannot write " + tmp + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return Status::Internal("cannot flush " + tmp + ": " + std::strerror(errno));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string err = std::strerror(errno);
    unlink(tmp.c_str());
    return Status::Internal("cannot replace " + path + ": " + err);
  }
  return Status::Ok();
}

StatusOr<std::string> ReadPrivateFile(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return Status(errno == ENOENT ? Code::kNotFound : Code::kInternal,
                  "cannot open " + path + ": " + std::strerror(errno));
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    close(fd);
    return Status::Internal("cannot stat " + path);
  }
  if ((st.st_mode & 077) != 0) {
    close(fd);
    return Status::FailedPrecondition(
        "insecure_permissions",
        path + " is accessible by other users; it holds a secret. Fix it with: chmod 600 " + path);
  }
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  if (n < 0) return Status::Internal("cannot read " + path);
  return out;
}

}  // namespace hearth
