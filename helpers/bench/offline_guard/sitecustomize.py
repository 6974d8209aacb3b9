"""Offline guard: refuse every network connection that would leave this machine.

Python imports this file at start-up when its folder is on ``PYTHONPATH`` (see
:func:`helpers.bench.offline.offline_env`), so it guards a kernel and every Python process the
kernel starts. Loopback (127.0.0.0/8, ::1, localhost) and Unix sockets still work, which is all
a Jupyter kernel needs. Each refused attempt raises :class:`OfflineGuardError` and, when
``COURSE_OFFLINE_LOG`` names a file, is also written there (a notebook that catches the error
is still caught).
"""
import ipaddress
import os
import socket

MARK = "offline guard"


class OfflineGuardError(ConnectionRefusedError):
    """A connection to the network was attempted while the course runs offline."""


def _local_names():
    names = {"localhost", "localhost.localdomain", "ip6-localhost", ""}
    try:
        names.add(socket.gethostname().lower())
    except OSError:
        pass
    return names


LOCAL_NAMES = _local_names()


def _is_loopback(host):
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    host = str(host).strip("[]").split("%")[0].lower()
    if host in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _refuse(what, target):
    message = f"{MARK}: {what} {target!r} refused; the course must run without a network."
    log = os.environ.get("COURSE_OFFLINE_LOG")
    if log:
        try:
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(f"{os.getpid()} {what} {target!r}\n")
        except OSError:
            pass
    raise OfflineGuardError(message)


def _check_address(sock, address, what):
    # Only internet sockets can leave the machine; Unix and netlink sockets stay on it.
    if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
        host = address[0] if isinstance(address, tuple) and address else address
        if not _is_loopback(host):
            _refuse(what, address)


def _install():
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo
    real_gethostbyname = socket.gethostbyname
    real_gethostbyname_ex = socket.gethostbyname_ex
    real_gethostbyaddr = socket.gethostbyaddr

    def connect(self, address):
        _check_address(self, address, "connect to")
        return real_connect(self, address)

    def connect_ex(self, address):
        _check_address(self, address, "connect to")
        return real_connect_ex(self, address)

    def sendto(self, data, *args):
        if args:
            _check_address(self, args[-1], "send to")
        return real_sendto(self, data, *args)

    def resolver(real, what):
        def resolve(host, *args, **kwargs):
            if not _is_loopback(host):
                _refuse(what, host)
            return real(host, *args, **kwargs)
        resolve.__name__ = real.__name__
        resolve.__doc__ = real.__doc__
        return resolve

    socket.socket.connect = connect
    socket.socket.connect_ex = connect_ex
    socket.socket.sendto = sendto
    socket.getaddrinfo = resolver(real_getaddrinfo, "look up")
    socket.gethostbyname = resolver(real_gethostbyname, "look up")
    socket.gethostbyname_ex = resolver(real_gethostbyname_ex, "look up")
    socket.gethostbyaddr = resolver(real_gethostbyaddr, "look up")
    socket.OfflineGuardError = OfflineGuardError


_install()
