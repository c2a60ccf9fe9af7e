import streamlit as st

st.title("backprop")
st.write(st.session_state["settings"])
