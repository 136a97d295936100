//! Classification of members by sos path and content.
