//! Component versions: uname, os-release, packages, docker version, log hints.
