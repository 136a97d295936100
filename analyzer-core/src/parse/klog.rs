//! klog (kubelet, kube-proxy): plain, structured key/value, multi-line values and JSON.
