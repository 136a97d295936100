//! logrus text (dockerd, containerd, CRI-O): `time=… level=… msg=…` and the TTY form.
